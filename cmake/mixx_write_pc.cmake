# SPDX-License-Identifier: MIT
# mixx_write_pc.cmake: runs at install time (install(CODE) in the top CMakeLists.txt) and writes mixxengine.pc
# with the prefix this install really uses, normalised: no trailing or double slashes, no "..".
# In: MIXX_PC_IN, MIXX_PC_OUT, MIXX_PC_LIBDIR, MIXX_PC_INCLUDEDIR; CMAKE_INSTALL_PREFIX from the install run.
set(_prefix "${CMAKE_INSTALL_PREFIX}")
get_filename_component(_prefix "${_prefix}" ABSOLUTE)
file(TO_CMAKE_PATH "${_prefix}" _prefix)
string(REGEX REPLACE "/+" "/" _prefix "${_prefix}")
if(NOT _prefix STREQUAL "/")
  string(REGEX REPLACE "/$" "" _prefix "${_prefix}")
endif()
# GNUInstallDirs may give an absolute libdir/includedir; then use it as is, otherwise say it relative to ${prefix}
foreach(_v LIBDIR INCLUDEDIR)
  set(_d "${MIXX_PC_${_v}}")
  string(REGEX REPLACE "/+" "/" _d "${_d}")
  string(REGEX REPLACE "/$" "" _d "${_d}")
  if(IS_ABSOLUTE "${_d}")
    set(_${_v} "${_d}")
  elseif(_prefix STREQUAL "/")
    set(_${_v} "\${prefix}${_d}")
  else()
    set(_${_v} "\${prefix}/${_d}")
  endif()
endforeach()
file(READ "${MIXX_PC_IN}" _pc)
string(REPLACE "%PREFIX%" "${_prefix}" _pc "${_pc}")
string(REPLACE "%LIBDIR%" "${_LIBDIR}" _pc "${_pc}")
string(REPLACE "%INCLUDEDIR%" "${_INCLUDEDIR}" _pc "${_pc}")
file(WRITE "${MIXX_PC_OUT}" "${_pc}")
