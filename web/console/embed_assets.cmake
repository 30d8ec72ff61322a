# cmake -DSOURCE_DIR=web/console -DOUTPUT=console_assets.cpp [-DPLAYER_JS=.../hls.light.min.js
#       -DPLAYER_LICENSE=.../LICENSE] -P embed_assets.cmake
# Writes a C++ file holding every console file as a byte array, listed by consoleAssets(). The
# player, when given, is served as "hls.js" and its licence as "hls-license.txt".
file(GLOB files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*.html ${SOURCE_DIR}/*.css ${SOURCE_DIR}/*.js
     ${SOURCE_DIR}/*.svg)
list(SORT files)
set(names "")
set(paths "")
foreach(name IN LISTS files)
  list(APPEND names ${name})
  list(APPEND paths ${SOURCE_DIR}/${name})
endforeach()
if(DEFINED PLAYER_JS)
  if(EXISTS ${SOURCE_DIR}/hls.js)
    message(FATAL_ERROR "web/console/hls.js would hide the embedded player of the same name")
  endif()
  list(APPEND names hls.js hls-license.txt)
  list(APPEND paths ${PLAYER_JS} ${PLAYER_LICENSE})
endif()
set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS names)
  list(GET paths ${index} path)
  file(READ ${path} hex HEX)
  string(LENGTH "${hex}" hexLength)
  math(EXPR size "${hexLength} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n"
                       bytes "${bytes}")
  get_filename_component(extension ${name} LAST_EXT)
  if(extension STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(extension STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(extension STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(extension STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(extension STREQUAL ".txt")
    set(type "text/plain; charset=utf-8")
  else()
    set(type "application/octet-stream")
  endif()
  string(APPEND arrays "const unsigned char kFile${index}[] = {\n${bytes}0};\n")
  string(APPEND entries
         "    {\"${name}\", \"${type}\", {reinterpret_cast<const char*>(kFile${index}), ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(content "// Generated from web/console by embed_assets.cmake. Do not edit.
#include \"service/console_routes.h\"

namespace dh::service {
namespace {
${arrays}
const ConsoleAsset kAssets[] = {
${entries}};
}  // namespace

std::span<const ConsoleAsset> consoleAssets() { return kAssets; }

}  // namespace dh::service
")
# Only touch the output when it changed, so unchanged assets do not rebuild the service.
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} previous)
  if(previous STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUTPUT} "${content}")
