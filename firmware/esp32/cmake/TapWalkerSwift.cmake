# Builds TapWalker's Swift modules for the ESP-IDF component that includes this file.
#
#   tapwalker_portable_modules(<build> <names-var> <dirs-var>)
#       the portable modules <build> ("firmware") compiles, in dependency order, and their source
#       folders, from embedded/portable-modules.txt (the one list the shell lanes read too)
#   tapwalker_swift_module(<Name> SOURCES <files...> [BRIDGING_HEADER <h>] [DEPENDS <modules...>]
#                          [CONDITIONS <names...>])   (Swift compilation conditions, -D NAME)
#
# Each module is compiled in Embedded Swift with the flags idf_swift uses (see docs/firmware.md)
# for the chip's -march/-mabi (IDF's toolchain with the `_xesp*` extensions removed), through
# scripts/tail-call-fence.sh: swiftc -emit-ir, "disable-tail-calls"="true" on every function
# (a function it cannot fence fails the build), the toolchain's clang -c. That script, run by the
# shell lanes too, holds the flags and the fence once (docs/compiler-bug.md); this file adds only
# what IDF gives: the chip's ISA, the component's include path, ESP_PLATFORM, the bridging header.
# Unlike idf_component_register_swift(), which lets swiftc produce objects directly (and so
# would ship the miscompilation), nothing here has a way around the fence.
#
# The objects are added to the component library; the .swiftmodule files land in
# ${CMAKE_CURRENT_BINARY_DIR}/swift so later modules can import earlier ones.

get_filename_component(_TAPWALKER_ROOT "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_TAPWALKER_FENCE "${_TAPWALKER_ROOT}/scripts/tail-call-fence.sh")
set(_TAPWALKER_MODULE_LIST "${_TAPWALKER_ROOT}/embedded/portable-modules.txt")

function(tapwalker_portable_modules build out_names out_dirs)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_TAPWALKER_MODULE_LIST}")
    file(STRINGS "${_TAPWALKER_MODULE_LIST}" lines REGEX "^[A-Za-z]")
    set(names "")
    set(dirs "")
    foreach(line IN LISTS lines)
        string(REGEX REPLACE "[ \t]+" ";" words "${line}")
        list(GET words 0 name)
        list(GET words 1 dir)
        list(SUBLIST words 2 -1 builds)
        if(build IN_LIST builds)
            if(NOT IS_DIRECTORY "${_TAPWALKER_ROOT}/${dir}")
                message(FATAL_ERROR "TapWalker: ${name}'s sources ${dir} (embedded/portable-modules.txt) do not exist")
            endif()
            list(APPEND names ${name})
            list(APPEND dirs "${_TAPWALKER_ROOT}/${dir}")
        endif()
    endforeach()
    set(${out_names} "${names}" PARENT_SCOPE)
    set(${out_dirs} "${dirs}" PARENT_SCOPE)
endfunction()

# The Swift compiler: CMAKE_Swift_COMPILER when a component enabled CMake's Swift language,
# else swiftc on PATH (TapWalker itself needs no CMake Swift rules: every module goes through IR).
function(_tapwalker_swiftc out)
    if(CMAKE_Swift_COMPILER)
        set(${out} "${CMAKE_Swift_COMPILER}" PARENT_SCOPE)
        return()
    endif()
    find_program(TAPWALKER_SWIFTC swiftc)
    if(NOT TAPWALKER_SWIFTC)
        message(FATAL_ERROR "TapWalker: no swiftc on PATH (put the Swift 6.3.1 toolchain's bin first on PATH)")
    endif()
    set(${out} "${TAPWALKER_SWIFTC}" PARENT_SCOPE)
endfunction()

# The Swift toolchain's resource directory (usr/lib/swift), asked from swiftc itself, because
# swiftc on PATH may be a proxy (swiftly) in a directory without the toolchain's clang.
function(_tapwalker_swift_resource_dir out)
    _tapwalker_swiftc(swiftc)
    execute_process(COMMAND "${swiftc}" -print-target-info -target riscv32-none-none-eabi
                    OUTPUT_VARIABLE info RESULT_VARIABLE rc ERROR_QUIET)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "TapWalker: ${swiftc} -print-target-info failed")
    endif()
    string(JSON dir GET "${info}" paths runtimeResourcePath)
    set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# -march/-mabi for the Swift modules: as idf_swift computes them when that component is part of
# the build (its extract_riscv_flags()), else the chip's ISA from this table, which is what IDF's
# toolchain files give the C compiler without the `_xesp*` extensions (docs/firmware.md).
function(_tapwalker_swift_arch out_march out_mabi)
    if(COMMAND extract_riscv_flags)
        extract_riscv_flags(arch_flags)          # "-Xcc -march=... -Xcc -mabi=..."
        string(REGEX MATCH "-march=[^ ]+" march "${arch_flags}")
        string(REGEX MATCH "-mabi=[^ ]+" mabi "${arch_flags}")
    else()
        idf_build_get_property(target IDF_TARGET)
        if(target STREQUAL "esp32c3")
            set(march "-march=rv32imc_zicsr_zifencei")
            set(mabi "-mabi=ilp32")
        elseif(target STREQUAL "esp32c6")
            set(march "-march=rv32imac_zicsr_zifencei")
            set(mabi "-mabi=ilp32")
        elseif(target STREQUAL "esp32p4")
            set(march "-march=rv32imafc_zicsr_zifencei")
            set(mabi "-mabi=ilp32f")
        else()
            message(FATAL_ERROR "TapWalker: no Embedded Swift flags for ${target} (RISC-V ESP32-C3, C6 and P4 only)")
        endif()
    endif()
    set(${out_march} "${march}" PARENT_SCOPE)
    set(${out_mabi} "${mabi}" PARENT_SCOPE)
endfunction()

# The C library's include directories as IDF's C compiler searches them (`-E -v`), without the
# compiler's own (lib/gcc/...: Clang brings its own stddef.h, stdint.h and stdarg.h).
function(_tapwalker_libc_includes out)
    get_property(cached GLOBAL PROPERTY TAPWALKER_LIBC_INCLUDES SET)
    if(NOT cached)
        execute_process(COMMAND "${CMAKE_C_COMPILER}" -xc -E -v /dev/null
                        OUTPUT_QUIET ERROR_VARIABLE listing RESULT_VARIABLE rc)
        set(dirs "")
        if(rc EQUAL 0)
            string(REGEX MATCH "#include <...> search starts here:\n(.*)End of search list" m "${listing}")
            string(REPLACE "\n" ";" lines "${CMAKE_MATCH_1}")
            foreach(line IN LISTS lines)
                string(STRIP "${line}" d)
                if(d AND NOT d MATCHES "/lib/gcc/" AND IS_DIRECTORY "${d}")
                    get_filename_component(d "${d}" REALPATH)
                    list(APPEND dirs "${d}")
                endif()
            endforeach()
        endif()
        set_property(GLOBAL PROPERTY TAPWALKER_LIBC_INCLUDES "${dirs}")
    endif()
    get_property(dirs GLOBAL PROPERTY TAPWALKER_LIBC_INCLUDES)
    set(${out} "${dirs}" PARENT_SCOPE)
endfunction()

function(tapwalker_swift_module name)
    cmake_parse_arguments(M "" "BRIDGING_HEADER" "SOURCES;DEPENDS;CONDITIONS" ${ARGN})
    if(NOT M_SOURCES)
        message(FATAL_ERROR "tapwalker_swift_module(${name}): no SOURCES")
    endif()
    _tapwalker_swiftc(swiftc)
    if(NOT TAPWALKER_SWIFT_CLANG)
        _tapwalker_swift_resource_dir(resource_dir)
        # The IR must be compiled by the LLVM that produced it: the Swift toolchain's own clang.
        find_program(TAPWALKER_SWIFT_CLANG clang HINTS "${resource_dir}/../../bin" NO_DEFAULT_PATH)
        if(NOT TAPWALKER_SWIFT_CLANG)
            message(FATAL_ERROR "TapWalker: no clang in the Swift toolchain (${resource_dir}/../../bin)")
        endif()
    endif()
    _tapwalker_swift_arch(march mabi)

    find_program(TAPWALKER_BASH bash)
    if(NOT TAPWALKER_BASH)
        message(FATAL_ERROR "TapWalker: bash is needed to run scripts/tail-call-fence.sh")
    endif()

    set(dir "${CMAKE_CURRENT_BINARY_DIR}/swift")
    file(MAKE_DIRECTORY "${dir}")
    set(obj "${dir}/${name}.o")
    set(module "${dir}/${name}.swiftmodule")

    set(flags
        # The Clang importer reads C headers as IDF's C files are compiled: IDF defines
        # ESP_PLATFORM for every C file, and headers shared with the host (embedded/bsd/bsd.h)
        # choose the ESP-IDF calls by it. (swiftc's own -D only sets Swift conditions.)
        -Xcc -DESP_PLATFORM
        -module-name ${name} -I "${dir}")
    foreach(c IN LISTS M_CONDITIONS)
        list(APPEND flags -D ${c})
    endforeach()
    set(deps ${M_SOURCES} "${_TAPWALKER_FENCE}" "${_TAPWALKER_ROOT}/scripts/embedded-swift.sh")
    foreach(d IN LISTS M_DEPENDS)
        list(APPEND deps "${dir}/${d}.swiftmodule")
    endforeach()
    # The Clang importer sees what a C file of this component sees: its include path, evaluated
    # transitively (sdkconfig.h, IDF's headers), and the C library's headers, which the C compiler
    # finds by itself. Kept in one quoted argument so that CMake splits it only after evaluation.
    set(includes "-Xcc;-I$<JOIN:$<TARGET_PROPERTY:${COMPONENT_LIB},INCLUDE_DIRECTORIES>,;-Xcc;-I>")
    _tapwalker_libc_includes(libc_includes)
    foreach(d IN LISTS libc_includes)
        list(APPEND flags -Xcc -isystem -Xcc "${d}")
    endforeach()
    if(M_BRIDGING_HEADER)
        list(APPEND flags -import-bridging-header "${M_BRIDGING_HEADER}")
        list(APPEND deps "${M_BRIDGING_HEADER}")
    endif()

    add_custom_command(
        OUTPUT "${obj}" "${module}"
        COMMAND "${TAPWALKER_BASH}" "${_TAPWALKER_FENCE}" --swiftc "${swiftc}" --clang "${TAPWALKER_SWIFT_CLANG}"
                ${march} ${mabi} -o "${obj}"
                ${flags} "${includes}" -emit-module -emit-module-path "${module}" ${M_SOURCES}
        DEPENDS ${deps}
        COMMAND_EXPAND_LISTS VERBATIM
        COMMENT "Swift ${name}: through the tail-call fence (docs/compiler-bug.md)")

    set_source_files_properties("${obj}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    target_sources(${COMPONENT_LIB} PRIVATE "${obj}")
endfunction()

# Embedded Swift's Unicode tables (String comparison and normalisation), from the toolchain.
function(tapwalker_swift_link_unicode_tables)
    _tapwalker_swift_resource_dir(resource_dir)
    set(lib "${resource_dir}/embedded/riscv32-none-none-eabi/libswiftUnicodeDataTables.a")
    if(EXISTS "${lib}")
        target_link_libraries(${COMPONENT_LIB} INTERFACE "${lib}")
    else()
        message(STATUS "TapWalker: ${lib} not found; String operations that need Unicode data will not link")
    endif()
endfunction()
