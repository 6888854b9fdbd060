# Layering rules of DESIGN.md, enforced at configure time (and again by the
# `layering` test): a forbidden edge fails the build instead of rotting.
#
#   sim        std + Boost only: no torch, Qt, SQLite
#   scenarios  sim + SQLite: no torch, Qt
#   policy     the only module that may include torch (in .cc files only),
#              never <torch/torch.h>
#   gui, app   no torch headers; and no LibTorch in what runs policies:
#              dispatchlab_policy, the CLI, `dispatchlab` and the GUI link
#              no torch (DESIGN.md "Torch only where it trains"); only
#              dispatchlab_train, dispatchlab-train and tests do

set(DISPATCHLAB_FORBIDDEN_LINK_sim "torch|Torch|c10|caffe2|Qt[0-9]?::|Qt6|SQLite|sqlite3")
set(DISPATCHLAB_FORBIDDEN_LINK_scenarios "torch|Torch|c10|caffe2|Qt[0-9]?::|Qt6")
# Everything that runs a policy stays torch-free; only dispatchlab_train and
# the dispatchlab-train executable link LibTorch.
set(DISPATCHLAB_FORBIDDEN_LINK_policy "torch|Torch|c10|caffe2|dispatchlab_train|Qt[0-9]?::|Qt6|SQLite|sqlite3")
set(DISPATCHLAB_FORBIDDEN_LINK_gui_models "torch|Torch|c10|caffe2|dispatchlab_train|Qt[0-9]?::|Qt6")
set(DISPATCHLAB_FORBIDDEN_LINK_cli "torch|Torch|c10|caffe2|dispatchlab_train|Qt[0-9]?::|Qt6")
# Torch-free inference: learned policies run from weights files (FastNet).
set(DISPATCHLAB_FORBIDDEN_LINK_inference "torch|Torch|c10|caffe2|dispatchlab_train")

# Collects the transitive link closure of a target (names as written).
function(_dl_link_closure target out)
  set(seen "")
  set(todo "${target}")
  while(todo)
    list(POP_FRONT todo t)
    if(t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${t}")
    if(TARGET "${t}")
      get_target_property(libs "${t}" LINK_LIBRARIES)
      get_target_property(ilibs "${t}" INTERFACE_LINK_LIBRARIES)
      foreach(l IN LISTS libs ilibs)
        if(l AND NOT l MATCHES "-NOTFOUND$")
          string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" l "${l}")
          list(APPEND todo "${l}")
        endif()
      endforeach()
    endif()
  endwhile()
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# dispatchlab_check_layering(TARGET module)
function(dispatchlab_check_layering target module)
  set(pattern "${DISPATCHLAB_FORBIDDEN_LINK_${module}}")
  if(NOT pattern)
    return()
  endif()
  _dl_link_closure(${target} closure)
  foreach(dep IN LISTS closure)
    if(NOT dep STREQUAL target AND dep MATCHES "${pattern}")
      message(FATAL_ERROR
        "Layering violation: ${target} (module ${module}) links ${dep}. "
        "See DESIGN.md 'Layout and layering'.")
    endif()
  endforeach()
endfunction()
