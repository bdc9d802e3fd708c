# touchline_add_plugin(<target> SOURCES <files>... [OUTPUT_DIR <dir>] [DEFINITIONS <defs>...])
#
# Builds a Touchline protocol plugin: a shared object named <target>.so that exports only
# touchline_plugin_entry (everything else hidden), links Touchline::PluginSDK (two headers, no
# library) and refuses undefined symbols at link time, so a plugin that would fail to load in
# touchline-plugin-host fails to build instead. Plugins link no protobuf at all.
# The same file serves Touchline's own build and an installed TouchlinePluginSDK package.
function(touchline_add_plugin target)
  cmake_parse_arguments(P "" "OUTPUT_DIR" "SOURCES;DEFINITIONS" ${ARGN})
  if(NOT P_SOURCES)
    message(FATAL_ERROR "touchline_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(P_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  endif()
  if(P_DEFINITIONS)
    target_compile_definitions(${target} PRIVATE ${P_DEFINITIONS})
  endif()
  target_link_libraries(${target} PRIVATE Touchline::PluginSDK)
  target_link_options(${target} PRIVATE -Wl,-z,defs)
endfunction()
