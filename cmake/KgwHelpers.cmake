# Helpers shared by every module: warnings, library and test targets.

function(kgw_warnings target)
  # -Wno-mismatched-new-delete: GCC 12 misreads Asio's coroutine-frame allocator in every TU that
  # defines an awaitable (a false positive, not a bug of ours).
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                         -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough -Wno-mismatched-new-delete)
endfunction()

# kgw_module(<folder> SOURCES ... DEPS ...): the CMake library kgw_<folder> whose public headers
# live in <folder>/include/kgw/<folder>/.
function(kgw_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(kgw_${name} STATIC ${ARG_SOURCES})
    target_include_directories(kgw_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(kgw_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    kgw_warnings(kgw_${name})
  else()
    add_library(kgw_${name} INTERFACE)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
      target_include_directories(kgw_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    endif()
    target_link_libraries(kgw_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(kgw::${name} ALIAS kgw_${name})
endfunction()

# kgw_test(<name> SOURCES ... DEPS ...): one GoogleTest executable registered with ctest.
# Tests run with the source tree's location so fixtures resolve on any clone.
function(kgw_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  target_compile_definitions(${name} PRIVATE
    KGW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KGW_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  kgw_warnings(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set(env "")
  if(CMAKE_CXX_FLAGS MATCHES "sanitize=thread")
    # Libraries from Debian's packages are not instrumented (tests/tsan.supp says which, and why).
    set(env "TSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/tsan.supp")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${name}."
                       PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}" ENVIRONMENT "${env}")
endfunction()
