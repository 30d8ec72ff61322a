# The web console: the files of this folder are embedded into dh_service at build time, so
# `dh serve` serves the page from any working directory. Included by src/service/CMakeLists.txt
# after dh_service is defined.
file(GLOB DH_CONSOLE_FILES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/*.html ${CMAKE_CURRENT_LIST_DIR}/*.css
     ${CMAKE_CURRENT_LIST_DIR}/*.js ${CMAKE_CURRENT_LIST_DIR}/*.svg)

# The HLS player (hls.js, light build) comes from the npm package locked in package.json here;
# scripts/setup.sh installs it (npm ci). It is served as /console/hls.js with its licence as
# /console/hls-license.txt. -DDH_CONSOLE_PLAYER=OFF builds without it: the console then plays a
# task's live stream only where the browser reads HLS itself, else shows the finished video.
option(DH_CONSOLE_PLAYER "Embed hls.js (web/console/node_modules) into the console" ON)
set(DH_CONSOLE_PLAYER_DIR ${CMAKE_CURRENT_LIST_DIR}/node_modules/hls.js)
set(DH_CONSOLE_PLAYER_ARGS "")
if(DH_CONSOLE_PLAYER)
  set(dh_player_js ${DH_CONSOLE_PLAYER_DIR}/dist/hls.light.min.js)
  set(dh_player_license ${DH_CONSOLE_PLAYER_DIR}/LICENSE)
  if(NOT EXISTS ${dh_player_js} OR NOT EXISTS ${dh_player_license})
    message(FATAL_ERROR
            "The console's HLS player is missing: ${dh_player_js} does not exist. Run "
            "scripts/setup.sh (it runs `npm ci` in web/console), or configure with "
            "-DDH_CONSOLE_PLAYER=OFF to build the console without it.")
  endif()
  set(DH_CONSOLE_PLAYER_ARGS -DPLAYER_JS=${dh_player_js} -DPLAYER_LICENSE=${dh_player_license})
  list(APPEND DH_CONSOLE_FILES ${dh_player_js} ${dh_player_license})
endif()
set(DH_CONSOLE_GENERATED ${CMAKE_CURRENT_BINARY_DIR}/console_assets.cpp)
add_custom_command(
  OUTPUT ${DH_CONSOLE_GENERATED}
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR} -DOUTPUT=${DH_CONSOLE_GENERATED}
          ${DH_CONSOLE_PLAYER_ARGS} -P ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  DEPENDS ${DH_CONSOLE_FILES} ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
  COMMENT "Embedding the web console"
  VERBATIM)
target_sources(dh_service PRIVATE ${PROJECT_SOURCE_DIR}/src/service/console_routes.cpp
                                  ${DH_CONSOLE_GENERATED})
# The face overlay needs face::analyzeFace; without it the analysis endpoint is absent (404).
if(TARGET dh_face)
  target_link_libraries(dh_service PRIVATE dh::face)
  target_compile_definitions(dh_service PRIVATE DH_CONSOLE_HAS_FACE=1)
endif()
