# The installable product: the data directory, install rules and the Debian
# package. Included last by the top-level CMakeLists.txt, once every target
# exists.
#
# One layout, relative to the executables' folder, in three places:
#
#   <prefix>/bin/dispatchlab[-gui|-train]     installed tree, a .deb (/usr)
#   <prefix>/share/dispatchlab/assets/        shipped policies, train configs
#   <prefix>/share/dispatchlab/scenarios/     built-in scenario files
#
#   build/app/dispatchlab, build/tests/*, build/bench/*   build tree: the same
#   build/share/dispatchlab/{assets,scenarios}            files, copied here
#                                                         at build time
#
# app/paths.h (FindDataDir) looks in <exe dir>/../share/dispatchlab, so an
# installed tree works from any prefix, moved or not, and the build tree works
# the same way without installing. The binaries link the project's code
# statically and only system libraries dynamically: no RPATH into the build
# tree survives installation (checked by tests/install_test.sh).

set(DISPATCHLAB_DATA_SUBDIR share/dispatchlab)  # relative to the prefix
set(_dl_build_data ${CMAKE_BINARY_DIR}/${DISPATCHLAB_DATA_SUBDIR})

# Files of the data directory, as paths relative to the source root; each
# keeps its relative path under the data directory. CONFIGURE_DEPENDS: a new
# policy file (say assets/*.safetensors) is picked up by the next build.
file(GLOB _dl_data_files RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/assets/*.pt
     ${PROJECT_SOURCE_DIR}/assets/*.safetensors
     ${PROJECT_SOURCE_DIR}/assets/*.json
     ${PROJECT_SOURCE_DIR}/scenarios/jobshop/instances/*.txt
     ${PROJECT_SOURCE_DIR}/scenarios/jobshop/*.csv
     ${PROJECT_SOURCE_DIR}/scenarios/uam/*.json)
list(SORT _dl_data_files)

set(_dl_data_outputs "")
foreach(rel IN LISTS _dl_data_files)
  get_filename_component(reldir ${rel} DIRECTORY)
  add_custom_command(
    OUTPUT ${_dl_build_data}/${rel}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_dl_build_data}/${reldir}
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/${rel} ${_dl_build_data}/${rel}
    DEPENDS ${PROJECT_SOURCE_DIR}/${rel}
    COMMENT "Data directory: ${rel}"
    VERBATIM)
  list(APPEND _dl_data_outputs ${_dl_build_data}/${rel})
  install(FILES ${PROJECT_SOURCE_DIR}/${rel} DESTINATION ${DISPATCHLAB_DATA_SUBDIR}/${reldir})
endforeach()
# A file deleted from the source tree leaves the build tree's copy too, so
# the build tree never ships more than an install would.
string(REPLACE ";" "\n" _dl_keep "${_dl_data_files}")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/dispatchlab_data_files.txt CONTENT "${_dl_keep}\n")
add_custom_target(dispatchlab_data ALL
  COMMAND ${CMAKE_COMMAND} -DDIR=${_dl_build_data} -DKEEP=${CMAKE_BINARY_DIR}/dispatchlab_data_files.txt
          -P ${PROJECT_SOURCE_DIR}/cmake/prune_data.cmake
  DEPENDS ${_dl_data_outputs}
  COMMENT "Data directory: ${_dl_build_data}"
  VERBATIM)

# --- executables -------------------------------------------------------------
set(_dl_programs dispatchlab)
foreach(t dispatchlab-gui dispatchlab-train)
  if(TARGET ${t})
    list(APPEND _dl_programs ${t})
  endif()
endforeach()
foreach(t IN LISTS _dl_programs)
  add_dependencies(${t} dispatchlab_data)  # runnable from the build tree at once
  # Only libraries outside the project and off the system path (a LibTorch
  # unpacked in /opt, say) go into the installed RUNPATH; with Debian's
  # packages it stays empty.
  set_target_properties(${t} PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
endforeach()
install(TARGETS ${_dl_programs} RUNTIME DESTINATION bin)

if(TARGET dispatchlab-gui)
  install(FILES ${PROJECT_SOURCE_DIR}/assets/dispatchlab.desktop
          DESTINATION share/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/assets/dispatchlab.svg
          DESTINATION share/icons/hicolor/scalable/apps)
endif()

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/dispatchlab)
foreach(f LICENSE LICENSE.md LICENSE.txt COPYING)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${f})
    install(FILES ${PROJECT_SOURCE_DIR}/${f} DESTINATION share/doc/dispatchlab)
  endif()
endforeach()

# --- Debian package: `cpack -G DEB` in the build directory -------------------
# Depends comes from dpkg-shlibdeps (dpkg-dev) over the installed binaries,
# plus what no binary links but the product needs at run time.
set(CPACK_PACKAGE_NAME dispatchlab)
set(CPACK_PACKAGE_VENDOR "dispatchlab")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Dispatch policies under disruption: job-shop and UAM fleet simulator")
set(CPACK_PACKAGE_DESCRIPTION
    "dispatchlab simulates the interrupting swap-allowed blocking job shop and an urban air \
mobility fleet under disruption, runs dispatching rules, planners and shipped graph-attention \
policies on them, keeps results in a SQLite store and shows schedules in a Qt6 explorer.")
set(CPACK_PACKAGE_CONTACT "dispatchlab maintainers <dispatchlab@invalid>")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dispatchlab_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(_dl_extra_depends "")
if(TARGET dispatchlab-gui)
  # Qt loads its platform plugin (xcb, wayland, offscreen) at run time.
  list(APPEND _dl_extra_depends qt6-qpa-plugins)
endif()
if(DISPATCHLAB_TORCH_FOUND)
  # LibTorch on the reference BLAS trains about 4-5x slower (DESIGN.md).
  list(APPEND _dl_extra_depends libopenblas0-openmp)
endif()
if(TARGET dispatchlab_py)
  # The module is built for one CPython (the .so's ABI tag) and imports numpy;
  # it links neither, so dpkg-shlibdeps cannot see them.
  find_package(Python3 QUIET COMPONENTS Interpreter)
  math(EXPR _dl_py_next "${Python3_VERSION_MINOR} + 1")
  list(APPEND _dl_extra_depends
       "python3 (>= ${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR})"
       "python3 (<< ${Python3_VERSION_MAJOR}.${_dl_py_next})" python3-numpy)
endif()
list(JOIN _dl_extra_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/_CPack_Packages/")
include(CPack)
