# install-units.cmake -- writes and installs the systemd units, at install
# time, so that their ExecStart names the prefix given then
# (`cmake --install build --prefix P` runs P/bin/dnsbld), not the one the
# build was configured with.  DESTDIR is honoured by file(INSTALL).
#
# CMakeLists.txt sets, before including this: DNSBLD_DIST (dist/),
# DNSBLD_WORK (a scratch directory in the build), DNSBLD_BINDIR (bin, or
# absolute), DNSBLD_UNITDIR (lib/systemd/system, or absolute),
# DNSBLD_CONFIG (the config the units name).
if(IS_ABSOLUTE "${DNSBLD_BINDIR}")
  set(BINDIR "${DNSBLD_BINDIR}")
else()
  set(BINDIR "${CMAKE_INSTALL_PREFIX}/${DNSBLD_BINDIR}")
endif()
if(IS_ABSOLUTE "${DNSBLD_UNITDIR}")
  set(unitdir "${DNSBLD_UNITDIR}")
else()
  set(unitdir "${CMAKE_INSTALL_PREFIX}/${DNSBLD_UNITDIR}")
endif()
# One scratch directory per prefix: installs to two prefixes may overlap.
string(MD5 key "${BINDIR} ${DNSBLD_CONFIG}")
set(work "${DNSBLD_WORK}/${key}")
foreach(unit dnsbld.service dnsbl-loader.service dnsbl-web.service)
  configure_file("${DNSBLD_DIST}/${unit}.in" "${work}/${unit}" @ONLY)
  file(INSTALL "${work}/${unit}" DESTINATION "${unitdir}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()
