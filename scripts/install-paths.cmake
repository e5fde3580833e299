# Runs at install time (install(SCRIPT)), so CMAKE_INSTALL_PREFIX is the real one, including
# `cmake --install build --prefix DIR`.  Installs attest.so and writes the files that name its
# path.  The caller sets: _attest_src, _attest_module, _attest_moddir_cfg, _attest_ossl_prefix,
# _attest_ossl_moddir, CMAKE_INSTALL_LIBDIR, CMAKE_INSTALL_INCLUDEDIR, CMAKE_INSTALL_DATADIR,
# PROJECT_VERSION.
cmake_path(SET _prefix NORMALIZE "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "(.)/+$" "\\1" _prefix "${_prefix}")
cmake_path(SET _ossl_prefix NORMALIZE "${_attest_ossl_prefix}")
string(REGEX REPLACE "(.)/+$" "\\1" _ossl_prefix "${_ossl_prefix}")

if(NOT _attest_moddir_cfg STREQUAL "")
  cmake_path(ABSOLUTE_PATH _attest_moddir_cfg BASE_DIRECTORY "${_prefix}" NORMALIZE
             OUTPUT_VARIABLE _moddir)
elseif(_prefix STREQUAL _ossl_prefix AND NOT _attest_ossl_moddir STREQUAL "")
  set(_moddir "${_attest_ossl_moddir}")   # OpenSSL's own prefix: where it looks by default
else()
  set(_moddir "${_prefix}/${CMAKE_INSTALL_LIBDIR}/ossl-modules")
endif()

# file(INSTALL) applies DESTDIR and records the manifest itself.
file(INSTALL DESTINATION "${_moddir}" TYPE MODULE FILES "${_attest_module}")

# Files whose text names installed paths: written with the real prefix, not the configure-time one.
function(_attest_write template dest)
  set(CMAKE_INSTALL_PREFIX "${_prefix}")
  set(ATTEST_MODULES_PATH "${_moddir}")
  set(ATTEST_MODULE_PATH "${_moddir}/attest.so")
  set(ATTEST_CNF_PATH "${_prefix}/${CMAKE_INSTALL_DATADIR}/attest/attest-provider.cnf")
  file(READ "${_attest_src}/${template}" _text)
  string(CONFIGURE "${_text}" _text @ONLY)
  message(STATUS "Installing: $ENV{DESTDIR}${dest}")
  get_filename_component(_dir "$ENV{DESTDIR}${dest}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  file(WRITE "$ENV{DESTDIR}${dest}" "${_text}")
  set(CMAKE_INSTALL_MANIFEST_FILES ${CMAKE_INSTALL_MANIFEST_FILES} "$ENV{DESTDIR}${dest}" PARENT_SCOPE)
endfunction()
_attest_write(scripts/attest.pc.in "${_prefix}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/attest.pc")
_attest_write(scripts/attest-provider.cnf.in "${_prefix}/${CMAKE_INSTALL_DATADIR}/attest/attest-provider.cnf")
