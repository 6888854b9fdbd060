# cmake -DDIR=<build>/share/dispatchlab -DKEEP=<list file> -P prune_data.cmake
# Removes the files under DIR that the list (paths relative to DIR, one a
# line) no longer names: the build tree's data directory mirrors the source.
cmake_minimum_required(VERSION 3.25)
file(STRINGS "${KEEP}" keep)
file(GLOB_RECURSE present RELATIVE "${DIR}" "${DIR}/*")
foreach(f IN LISTS present)
  if(NOT f IN_LIST keep)
    message(STATUS "Data directory: removing ${f} (gone from the source tree)")
    file(REMOVE "${DIR}/${f}")
  endif()
endforeach()
