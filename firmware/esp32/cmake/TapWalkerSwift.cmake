# Builds TapWalker's Swift modules for the ESP-IDF component that includes this file.
#
#   tapwalker_swift_module(<Name> SOURCES <files...> [BRIDGING_HEADER <h>] [DEPENDS <modules...>]
#                          [CONDITIONS <names...>])   (Swift compilation conditions, -D NAME)
#
# Each module is compiled in Embedded Swift with the flags idf_swift uses (see docs/firmware.md):
# -target riscv32-none-none-eabi, the chip's -march/-mabi from IDF's toolchain with the `_xesp*`
# extensions removed, -enable-experimental-feature Embedded -wmo -parse-as-library -Osize,
# function sections, -fno-pic/-fno-pie for the Clang importer.
#
# Unlike idf_component_register_swift(), which hands .swift files to CMake's Swift rules and gets
# objects straight from swiftc, every module goes through textual LLVM IR:
#     swiftc -emit-ir  ->  disable_tail_calls.cmake  ->  the toolchain's clang -c
# because of the riscv32 tail-call miscompile described in docs/compiler-bug.md (THE FENCE).
# TAPWALKER_SWIFT_TAIL_CALL_FENCE=OFF skips only the patch step, for checking a compiler that
# has the bug fixed; the IR route stays the same either way.
#
# The objects are added to the component library; the .swiftmodule files land in
# ${CMAKE_CURRENT_BINARY_DIR}/swift so later modules can import earlier ones.

option(TAPWALKER_SWIFT_TAIL_CALL_FENCE
       "Add \"disable-tail-calls\"=\"true\" to every Swift function (riscv32 miscompile fence)" ON)

set(_TAPWALKER_SWIFT_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

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
function(_tapwalker_swift_arch out_swift out_march out_mabi)
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
    set(${out_swift} -Xcc ${march} -Xcc ${mabi} PARENT_SCOPE)
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
    _tapwalker_swift_arch(arch_swift march mabi)

    set(dir "${CMAKE_CURRENT_BINARY_DIR}/swift")
    file(MAKE_DIRECTORY "${dir}")
    set(ll "${dir}/${name}.ll")
    set(fenced "${dir}/${name}.notail.ll")
    set(obj "${dir}/${name}.o")
    set(module "${dir}/${name}.swiftmodule")

    set(flags -target riscv32-none-none-eabi ${arch_swift}
        -Xfrontend -function-sections
        -enable-experimental-feature Embedded
        -wmo -parse-as-library -Osize
        -Xcc -fno-pic -Xcc -fno-pie
        # The Clang importer reads C headers as IDF's C files are compiled: IDF defines
        # ESP_PLATFORM for every C file, and headers shared with the host (embedded/bsd/bsd.h)
        # choose the ESP-IDF calls by it. (swiftc's own -D only sets Swift conditions.)
        -Xcc -DESP_PLATFORM
        -module-name ${name} -I "${dir}")
    foreach(c IN LISTS M_CONDITIONS)
        list(APPEND flags -D ${c})
    endforeach()
    set(deps ${M_SOURCES})
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
        OUTPUT "${ll}" "${module}"
        COMMAND "${swiftc}" ${flags} "${includes}"
                -emit-module -emit-module-path "${module}"
                -emit-ir -o "${ll}" ${M_SOURCES}
        DEPENDS ${deps}
        COMMAND_EXPAND_LISTS VERBATIM
        COMMENT "Swift ${name}: LLVM IR")

    # ---- FENCE HOOK -------------------------------------------------------------------------
    # docs/compiler-bug.md is the authority on this fence. The step below applies the fix known to
    # work for Swift 6.3.1 on riscv32: "disable-tail-calls"="true" on every function. If that
    # document prescribes another fence (narrower, different flags, or a compiler release that no
    # longer needs one), change disable_tail_calls.cmake or the option's default, not the callers.
    if(TAPWALKER_SWIFT_TAIL_CALL_FENCE)
        add_custom_command(
            OUTPUT "${fenced}"
            COMMAND "${CMAKE_COMMAND}" -DIN=${ll} -DOUT=${fenced}
                    -P "${_TAPWALKER_SWIFT_CMAKE_DIR}/disable_tail_calls.cmake"
            DEPENDS "${ll}" "${_TAPWALKER_SWIFT_CMAKE_DIR}/disable_tail_calls.cmake"
            VERBATIM
            COMMENT "Swift ${name}: disable tail calls (docs/compiler-bug.md)")
        set(ir "${fenced}")
    else()
        message(WARNING "TapWalker: Swift module ${name} is built WITHOUT the tail-call fence")
        set(ir "${ll}")
    endif()

    # -disable-llvm-optzns: swiftc already optimised the IR (-Osize); clang only generates code,
    # so the object is what swiftc would have produced, minus the tail calls.
    add_custom_command(
        OUTPUT "${obj}"
        COMMAND "${TAPWALKER_SWIFT_CLANG}" --target=riscv32-none-none-eabi ${march} ${mabi}
                -Os -Xclang -disable-llvm-optzns -fno-pic
                -ffunction-sections -fdata-sections -c "${ir}" -o "${obj}"
        DEPENDS "${ir}"
        VERBATIM
        COMMENT "Swift ${name}: object")

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
