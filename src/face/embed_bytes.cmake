# Turns a binary file into a C++ source defining a byte array and its size (run with cmake -P).
#   cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DHEADER=<include> -DNAMESPACE=<ns> -DSYMBOL=<name>
#         -P embed_bytes.cmake
# Defines `const unsigned char <SYMBOL>[]` and `const std::size_t <SYMBOL>Size` in NAMESPACE, as
# declared in HEADER.
foreach(var INPUT OUTPUT HEADER NAMESPACE SYMBOL)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_bytes.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
if(hex_length EQUAL 0)
  message(FATAL_ERROR "embed_bytes.cmake: ${INPUT} is empty")
endif()
# 16 bytes (32 hex digits) per line, then every byte as 0xNN.
string(REPEAT "[0-9a-f]" 32 line_pattern)
string(REGEX REPLACE "(${line_pattern})" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(input_name "${INPUT}" NAME)

file(WRITE "${OUTPUT}"
  "// Generated at build time from ${input_name} by embed_bytes.cmake; do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace ${NAMESPACE} {\n\n"
  "const unsigned char ${SYMBOL}[] = {\n${bytes}\n};\n"
  "const std::size_t ${SYMBOL}Size = sizeof(${SYMBOL});\n\n"
  "}  // namespace ${NAMESPACE}\n")
