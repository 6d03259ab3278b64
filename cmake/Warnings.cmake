# Project-wide warning flags; MYNAH_WERROR turns them into errors (CI does).
function(mynah_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local -Wno-unused-parameter)
  if(MYNAH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
