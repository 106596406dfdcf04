# IE_PKG(VAR, PKG-MODULES, HEADER, LIB, FUNCTION, DEBIAN-PACKAGE)
# -----------------------------------------------------------------
# Find a library through pkg-config; when its .pc file is missing, fall back
# to a header and library check. Either way, when it cannot be found stop with
# a message naming the Debian package that provides it. Sets VAR_CFLAGS and
# VAR_LIBS.
AC_DEFUN([IE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [], [
    AC_CHECK_HEADER([$3], [],
      [AC_MSG_ERROR([$3 not found: install the Debian package $6])])
    AC_CHECK_LIB([$4], [$5], [$1_LIBS=-l$4],
      [AC_MSG_ERROR([lib$4 not found: install the Debian package $6])])
    AC_SUBST([$1_CFLAGS])
    AC_SUBST([$1_LIBS])
  ])
])
