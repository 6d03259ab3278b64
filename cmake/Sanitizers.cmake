# MYNAH_SANITIZE=address|undefined|thread adds the sanitizer to every target.
set(MYNAH_SANITIZE "" CACHE STRING "Sanitizer to build with (address, undefined, thread)")
if(MYNAH_SANITIZE)
  add_compile_options(-fsanitize=${MYNAH_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MYNAH_SANITIZE})
endif()
