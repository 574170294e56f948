# The libraries of the Windows build and how each is cross-built (sourced by
# scripts/build-windows, which keys its cache on this file: change a version or a recipe
# here and the libraries are built afresh).

# name  Debian version  SHA-256 of its .dsc
libraries=(
    "libuv1 1.44.2-1+deb12u1 798be0a2bcbcd40bb85302f6ccbf02b240e1958d4ad9cf153b8101c3a82f21b9"
    "cjson 1.7.15-1+deb12u4 764c2de141d680f4fb4cada30c526dacaa30ead061b9b9c34f2b81e2df0f8439"
    "libyaml 0.2.5-1 1edbf86e5cd76937ff62892ba6c2537456d645d834d4cd4a82430b8be7051bf4"
    "libxml2 2.9.14+dfsg-1.3~deb12u6 d86ce3efb1b75d2781f72f5cdd187474c148a915d610295c85162681bb070a65"
    "nghttp2 1.52.0-1+deb12u3 d4fcb364e461616ef63cb0653a71f08a9ae23703d497745e90160ed7d1eda393"
    "openssl 3.0.17-1~deb12u2 8eff0f04976f65df9a00507f286c18f42644d73124e3844258f037ff47c4f6cf"
    "curl 7.88.1-10+deb12u15 2744f12e3aef161c0361743fa1b318296b122e566e47f381e4a63320fbcc23f4"
    "gmp 2:6.2.1+dfsg1-1.1 2831ed4f83bc3304c2403474b335652ab2dc507cd517de44414d9142171748f0"
    "nettle 3.8.1-2 a437e204da67612efb656cab354835f358b44c077c5c0a46d6e8c30b5c0bddff"
    "libtasn1-6 4.19.0-2+deb12u1 54eabe8526f590a52771d99ce8c592d3edd549e98d84ea6649db473d528cc6ec"
    "gnutls28 3.7.9-2+deb12u7 027b2f60e38add78ee611d099dbf34e977a6600d446cc39673534b736a182cb6"
    "libmicrohttpd 0.9.75-6 c0f8a9cd77c41285d2d48fc68bbee2e460a55042fcd5d3f6b9946c017d4b6846"
    "net-snmp 5.9.3+dfsg-2+deb12u1 b5760c25db1133c08d634f23881f0d8039f66ecabbd6dca16ca92b7e1eab9f67"
    "cmocka 1.1.5-2.1 9f94190b571e059dd6a359c7effd40b982c6c2796959ea201cf41e7cac0b6730"
)

cmake_cross() { # cmake_cross SRC [ARGS...]: configure, build and install into $prefix
    local dir=$1
    shift
    cmake -S "$dir" -B "$dir/_build" -G "Unix Makefiles" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF "$@" \
        > "$dir/_configure.log" 2>&1 || { tail -20 "$dir/_configure.log"; return 1; }
    cmake --build "$dir/_build" -j"$jobs" > "$dir/_build.log" 2>&1 ||
        { tail -30 "$dir/_build.log"; return 1; }
    cmake --install "$dir/_build" > /dev/null
}

pc() { # pc NAME VERSION CFLAGS LIBS: a pkg-config file where a library installs none
    cat > "$prefix/lib/pkgconfig/$1.pc" << EOF
prefix=$prefix
Name: $1
Description: $1 (static, MinGW-w64)
Version: $2
Cflags: -I\${prefix}/include $3
Libs: -L\${prefix}/lib $4
EOF
}

autotools_cross() { # autotools_cross SRC [CONFIGURE ARGS...]: the same with ./configure
    local dir=$1
    shift
    (cd "$dir" && ./configure --host=$triple --prefix="$prefix" --enable-static --disable-shared \
        "$@" > _configure.log 2>&1 && make -j"$jobs" > _build.log 2>&1 &&
        make install > _install.log 2>&1) ||
        { tail -30 "$dir/_configure.log" "$dir/_build.log" 2> /dev/null; return 1; }
}

build_libuv1() {
    cmake_cross "$src" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF
    rm -f "$prefix"/lib/libuv.dll.a "$prefix"/bin/libuv.dll "$prefix"/bin/uv.dll
    # the static library is uv_a: the .pc must name it, or the exe wants libuv.dll
    pc libuv 1.44.2 "" "-luv_a -lws2_32 -liphlpapi -luserenv -lpsapi -luser32 -ldbghelp -lole32 -lshell32"
}

build_cjson() {
    # its own flags add the stack protector (then every consumer needs -lssp): not wanted
    cmake_cross "$src" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
        -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DBUILD_SHARED_AND_STATIC_LIBS=OFF
}

build_libyaml() {
    cmake_cross "$src" -DINSTALL_CMAKE_DIR=lib/cmake/yaml
    pc yaml-0.1 0.2.5 "-DYAML_DECLARE_STATIC" "-lyaml"
}

build_libxml2() {
    cmake_cross "$src" -DLIBXML2_WITH_ICONV=OFF -DLIBXML2_WITH_ICU=OFF -DLIBXML2_WITH_LZMA=OFF \
        -DLIBXML2_WITH_ZLIB=OFF -DLIBXML2_WITH_PYTHON=OFF -DLIBXML2_WITH_HTTP=OFF \
        -DLIBXML2_WITH_FTP=OFF -DLIBXML2_WITH_TESTS=OFF -DLIBXML2_WITH_PROGRAMS=OFF
}

build_nghttp2() {
    # no clock_gettime: with both it and GetTickCount64 found, 1.52's nghttp2_time.c calls a
    # function it did not define
    cmake_cross "$src" -DENABLE_LIB_ONLY=ON -DENABLE_STATIC_LIB=ON -DENABLE_SHARED_LIB=OFF \
        -DHAVE_CLOCK_GETTIME=
}

build_openssl() {
    (cd "$src" && ./Configure mingw64 no-shared no-tests no-module no-engine no-dso no-legacy \
        --cross-compile-prefix=$triple- --prefix="$prefix" --libdir=lib > _configure.log 2>&1 &&
        make -j"$jobs" build_libs > _build.log 2>&1 && make install_dev > /dev/null 2>&1) ||
        { tail -30 "$src/_build.log" "$src/_configure.log" 2> /dev/null; return 1; }
}

build_curl() {
    patch -s -d "$src" -p1 < "$root/scripts/windows/curl-already-connected.patch"
    cmake_cross "$src" -DCURL_USE_OPENSSL=ON -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=ON \
        -DUSE_NGHTTP2=ON -DCURL_USE_LIBSSH2=OFF -DCURL_DISABLE_LDAP=ON -DUSE_LIBIDN2=OFF \
        -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DBUILD_CURL_EXE=OFF \
        -DENABLE_UNIX_SOCKETS=OFF -DCURL_STATICLIB=ON -DCMAKE_C_FLAGS=-DNGHTTP2_STATICLIB
}

# GnuTLS and what it needs, for libmicrohttpd's HTTPS (the agent's --tls-cert, --tls-auto)
build_gmp() {
    # Debian's patch takes doc/ (not in its source) out of configure.ac and Makefile.am: the
    # build system is made again from them, as Debian's dh_autoreconf does
    (cd "$src" && autoreconf -fi > _autoreconf.log 2>&1) || { tail -20 "$src/_autoreconf.log"; return 1; }
    autotools_cross "$src" --disable-cxx
}

build_nettle() {
    autotools_cross "$src" --disable-documentation --disable-openssl --disable-mini-gmp \
        CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib"
}

build_libtasn1-6() {
    autotools_cross "$src" --disable-doc --disable-valgrind-tests
}

build_gnutls28() {
    # the library only: no PKCS #11, TPM, IDN, DANE or compression; the part of libunistring
    # it needs from its own release (--with-included-unistring)
    autotools_cross "$src" --with-included-unistring --without-p11-kit --without-idn \
        --without-tpm --without-tpm2 --disable-tools --disable-doc --disable-tests \
        --disable-cxx --disable-guile --without-zlib --without-brotli --without-zstd \
        --disable-nls --disable-libdane --disable-full-test-suite \
        CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" || return 1
    # 3.7's header declares its variables (gnutls_malloc...) dllimport on Windows whatever
    # the build: against the static library nothing is imported
    sed -i 's|^# define _SYM_EXPORT __declspec(dllimport)$|# define _SYM_EXPORT /* static */|' \
        "$prefix/include/gnutls/gnutls.h"
}

build_libmicrohttpd() {
    # static GnuTLS: its own libraries on every link line, configure's tests and dmsconn's
    local tls
    tls=$(pkg-config --static --libs gnutls) || return 1
    (cd "$src" && ./configure --host=$triple --prefix="$prefix" --enable-static --disable-shared \
        --with-threads=auto --enable-https --with-gnutls --disable-doc --disable-examples \
        --disable-curl GNUTLS_CFLAGS="-I$prefix/include" GNUTLS_LIBS="$tls" LIBS="$tls" \
        > _configure.log 2>&1 && grep -q "HTTPS support: *yes" _configure.log &&
        make -j"$jobs" -C src/microhttpd > _build.log 2>&1 &&
        make -C src/microhttpd install > /dev/null 2>&1 && make -C src/include install > /dev/null 2>&1 &&
        make install-pkgconfigDATA > /dev/null 2>&1) ||
        { tail -30 "$src/_configure.log" "$src/_build.log" 2> /dev/null; return 1; }
    sed -i "s|^Libs: -L\${libdir} -lmicrohttpd\$|& $tls|" "$prefix/lib/pkgconfig/libmicrohttpd.pc"
    grep -q -- "-lgnutls" "$prefix/lib/pkgconfig/libmicrohttpd.pc"
}

build_net-snmp() {
    # the client library only (snmplib): UDP and UDP over IPv6, USM, no MIB loading; its own
    # MD5/SHA-1 (dmsconn's SNMPv3 discovery needs no crypto, and a static libcrypto would need
    # Winsock after it on configure's link lines, which configure does not give)
    (cd "$src" && ./configure --host=$triple --prefix="$prefix" --enable-static --disable-shared \
        --with-defaults --disable-agent --disable-applications --disable-manuals \
        --disable-scripts --disable-mibs --disable-mib-loading --disable-embedded-perl \
        --without-perl-modules --with-transports="UDP UDPIPv6" --with-out-transports="Unix TCP TCPIPv6 Callback" \
        --with-security-modules=usm --without-openssl --enable-ipv6 \
        > _configure.log 2>&1 && make -j"$jobs" -C snmplib > _build.log 2>&1) ||
        { tail -30 "$src/_configure.log" "$src/_build.log" 2> /dev/null; return 1; }
    mkdir -p "$prefix/include/net-snmp"
    cp "$src"/snmplib/.libs/libnetsnmp.a "$prefix/lib/"
    cp -r "$src"/include/net-snmp/. "$prefix/include/net-snmp/"
    pc netsnmp 5.9.3 "" "-lnetsnmp -lws2_32 -liphlpapi"
}

build_cmocka() {
    cmake_cross "$src" -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
    # the static library under the name -lcmocka finds, and no DLL import library beside it
    mv "$prefix/lib/libcmocka-static.a" "$prefix/lib/libcmocka.a"
    rm -f "$prefix/lib/libcmocka.dll.a" "$prefix/bin/libcmocka.dll"
}

