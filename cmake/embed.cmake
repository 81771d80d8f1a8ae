# Embeds the Python worker into a C++ source, so the installed binary is self-contained: the
# bootstrap (the text `python -c` runs) and every module of the package, each as a string
# constant, so that the binary passes each module to the interpreter as an argv element of its own.
# Usage: cmake -DBOOTSTRAP=file.py -DPACKAGE=name -DMODULES="dir/__init__.py;dir/a.py;..."
#              -DOUTPUT=file.cc -DSYMBOL=prefix -DNAMESPACE=ns -P embed.cmake
# Defines, in namespace NAMESPACE: std::string_view <SYMBOL>Bootstrap, and
# std::span<const std::string_view> <SYMBOL>Modules: name, text, name, text, ... (PACKAGE for
# __init__.py, PACKAGE.<file name> for the others).

# Linux refuses an argv element of 128 KiB or more (MAX_ARG_STRLEN, with its terminating zero).
set(max_length 131071)

# The text of `file` as a C++ raw string literal, in `out`.
function(raw_literal file out)
  file(READ "${file}" content)
  string(FIND "${content}" ")embedded\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )embedded\"")
  endif()
  string(LENGTH "${content}" length)
  if(length GREATER max_length)
    message(FATAL_ERROR "${file} has ${length} bytes; an argv element holds ${max_length} at most: "
                        "split the module")
  endif()
  set(${out} "R\"embedded(${content})embedded\"" PARENT_SCOPE)
endfunction()

raw_literal("${BOOTSTRAP}" bootstrap)
set(modules "")
foreach(module IN LISTS MODULES)
  get_filename_component(stem "${module}" NAME_WE)
  if(stem STREQUAL "__init__")
    set(name "${PACKAGE}")
  else()
    set(name "${PACKAGE}.${stem}")
  endif()
  raw_literal("${module}" text)
  string(APPEND modules "    \"${name}\",\n    ${text},\n")
endforeach()

file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${BOOTSTRAP} and the ${PACKAGE} package by cmake/embed.cmake; do not edit.\n"
  "#include <span>\n"
  "#include <string_view>\n\n"
  "namespace ${NAMESPACE} {\n"
  "namespace {\n"
  "constexpr std::string_view kModules[] = {\n${modules}};\n"
  "}  // namespace\n\n"
  "extern const std::string_view ${SYMBOL}Bootstrap;\n"
  "extern const std::span<const std::string_view> ${SYMBOL}Modules;\n"
  "const std::string_view ${SYMBOL}Bootstrap = ${bootstrap};\n"
  "const std::span<const std::string_view> ${SYMBOL}Modules = kModules;\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
