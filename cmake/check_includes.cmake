# Scans the sources for forbidden #include edges (DESIGN.md layering).
#   cmake -DROOT=<source dir> -P check_includes.cmake
# Exits with an error listing every offending file and line.
set(torch_re "#include[ \t]*[<\"](torch|ATen|c10)/")
set(qt_re "#include[ \t]*<Q[A-Za-z]+>")
set(sqlite_re "#include[ \t]*[<\"]sqlite3\\.h[>\"]")
set(fat_torch_re "#include[ \t]*<torch/torch\\.h>")
# Each rule: directory ~ variable holding the regex ~ what it means.
set(rules
  "sim~torch_re~torch" "sim~qt_re~Qt" "sim~sqlite_re~SQLite"
  "scenarios~torch_re~torch" "scenarios~qt_re~Qt"
  "gui~torch_re~torch" "gui~sqlite_re~SQLite (use scenarios/)"
  "app~torch_re~torch" "app~sqlite_re~SQLite (use scenarios/)"
  "policy~fat_torch_re~<torch/torch.h> (use narrow headers)"
  "policy~qt_re~Qt" "policy~sqlite_re~SQLite")
# Edges between the project's own folders (DESIGN.md "Layout and layering"):
# sim is the bottom (core below jobshop/uam below env), scenarios and policy
# sit on sim only, gui never reaches into app.
set(up_from_sim_re "#include[ \t]*\"(scenarios|policy|gui|app)/")
set(up_from_core_re "#include[ \t]*\"sim/(jobshop|uam|env)/")
set(jobshop_to_uam_re "#include[ \t]*\"sim/(uam|env)/")
set(uam_to_jobshop_re "#include[ \t]*\"sim/(jobshop|env)/")
set(up_from_scenarios_re "#include[ \t]*\"(policy|gui|app)/")
set(up_from_policy_re "#include[ \t]*\"(scenarios|gui|app)/")
set(up_from_gui_re "#include[ \t]*\"app/")
list(APPEND rules
  "sim~up_from_sim_re~an upper layer (sim includes only sim/)"
  "sim/core~up_from_core_re~a domain (sim/core is below every domain)"
  "sim/jobshop~jobshop_to_uam_re~another domain or the env layer"
  "sim/uam~uam_to_jobshop_re~another domain or the env layer"
  "scenarios~up_from_scenarios_re~policy/gui/app (scenarios sits on sim only)"
  "policy~up_from_policy_re~scenarios/gui/app (policy sits on sim only)"
  "gui~up_from_gui_re~app/ (the composition root)")
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE "~" ";" parts "${rule}")
  list(GET parts 0 dir)
  list(GET parts 1 var)
  list(GET parts 2 what)
  file(GLOB_RECURSE files "${ROOT}/${dir}/*.h" "${ROOT}/${dir}/*.cc")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" hits REGEX "${${var}}")
    foreach(h IN LISTS hits)
      string(APPEND violations "  ${f}: ${what}: ${h}\n")
    endforeach()
  endforeach()
endforeach()
# torch only in policy/*.cc, never in headers
file(GLOB_RECURSE policy_headers "${ROOT}/policy/*.h")
foreach(f IN LISTS policy_headers)
  file(STRINGS "${f}" hits REGEX "${torch_re}")
  foreach(h IN LISTS hits)
    string(APPEND violations "  ${f}: torch in a header (only .cc files may include torch): ${h}\n")
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "Forbidden #include edges (DESIGN.md layering):\n${violations}")
endif()
