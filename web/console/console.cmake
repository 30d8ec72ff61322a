# The web console: the files of this folder are embedded into dh_service at build time, so
# `dh serve` serves the page from any working directory. Included by src/service/CMakeLists.txt
# after dh_service is defined.
file(GLOB DH_CONSOLE_FILES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/*.html ${CMAKE_CURRENT_LIST_DIR}/*.css
     ${CMAKE_CURRENT_LIST_DIR}/*.js ${CMAKE_CURRENT_LIST_DIR}/*.svg)
set(DH_CONSOLE_GENERATED ${CMAKE_CURRENT_BINARY_DIR}/console_assets.cpp)
add_custom_command(
  OUTPUT ${DH_CONSOLE_GENERATED}
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR} -DOUTPUT=${DH_CONSOLE_GENERATED}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_assets.cmake
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
