import Testing

@Suite("tapwalker detect")
struct DetectTests {
    @Test("with no cable configured, detect uses the simulated LFE5U-85F and says so on stderr")
    func defaultBoardIsTheSimulated85F() throws {
        let run = tapwalker("detect", "--json")
        #expect(run.exitCode == 0)
        let json = try #require(run.json())
        #expect(json.bool("ok") == true)
        #expect(json.isNull("error"))
        #expect(json.string("part") == "LFE5U-85F")
        #expect(json.string("idcode") == "0x41113043")
        for key in ["ok", "error", "idcode", "part", "status", "done", "bse", "tck_cycles", "sim_time_us"] {
            #expect(json.has(key), "detect --json has no \"\(key)\"")
        }
        #expect((json.int("tck_cycles") ?? 0) > 0)
        // The simulator keeps time, so sim_time_us is a number, not null.
        #expect(json.int("sim_time_us") != nil, "sim_time_us should be a number for the simulator")
        #expect(run.stderr.contains("no cable configured"))
        #expect(run.stderr.contains("simulated board"))
    }

    @Test("a freshly powered simulated board booted from a blank flash: BSE PRMB, not DONE")
    func powerUpStatusIsPreambleErrorFromBlankFlash() throws {
        let json = try #require(tapwalker("detect", "--json", "--cable", "sim").json())
        #expect(json.string("bse") == "PRMB")
        #expect(json.bool("done") == false)
        let status = try #require(json.hex("status"))
        #expect(status & 0x100 == 0, "DONE (bit 8) is set in \(json.string("status") ?? "")")
        #expect((status >> 23) & 7 == 4, "BSE (bits 25:23) should be 4, PRMB")

        let text = tapwalker("detect", "--cable", "sim")
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("LFE5U-85F"))
        #expect(text.stdout.contains("0x41113043"))
        #expect(text.stdout.contains("PRMB"))
    }

    @Test(
        "sim:part= chooses the simulated part, by short or full name, in any case",
        arguments: [
            ("sim:part=um5g-85f", "LFE5UM5G-85F", 0x8111_3043 as UInt32),
            ("sim:part=12f", "LFE5U-12F", 0x2111_1043),
            ("sim:part=LFE5U-45F", "LFE5U-45F", 0x4111_2043),
            ("sim:part=lfe5u-45f", "LFE5U-45F", 0x4111_2043),
        ])
    func simulatedPartCanBeChosen(cable: String, part: String, idcode: UInt32) throws {
        let run = tapwalker("detect", "--json", "--cable", cable)
        #expect(run.exitCode == 0)
        let json = try #require(run.json())
        #expect(json.string("part") == part)
        #expect(json.hex("idcode") == idcode)
        // A cable was chosen, so there is nothing to warn about.
        #expect(!run.stderr.contains("no cable configured"))
    }

    @Test(
        "a cable that cannot be opened is bad usage (exit 2) with a message that says why",
        arguments: [
            ("sim:part=lfe5u-99f", "unknown part 'lfe5u-99f'"),
            ("sim:speed=fast", "unknown simulator option 'speed'"),
            ("sim:part", "needs a value"),
            ("xvc://127.0.0.1:2542?speed=1", "the options are ?tck=HZ"),
            ("rbb://127.0.0.1:99999", "write xvc://HOST[:PORT][?tck=HZ] or rbb://HOST[:PORT]"),
            ("usb-blaster", "unknown cable 'usb-blaster'"),
        ])
    func badCableIsUsageError(cable: String, message: String) throws {
        let text = tapwalker("detect", "--cable", cable)
        #expect(text.exitCode == 2)
        #expect(text.stderr.contains(message), "stderr: \(text.stderr)")
        #expect(text.stdout.isEmpty)

        let json = tapwalker("detect", "--json", "--cable", cable)
        #expect(json.exitCode == 2)
        let object = try #require(json.json())
        #expect(object.bool("ok") == false)
        #expect(object.string("error")?.contains(message) == true)
    }

    @Test("an unknown flag is bad usage: exit 2, naming the flag")
    func unknownFlagIsUsageError() {
        let run = tapwalker("detect", "--bogus")
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("--bogus"))
    }

    @Test("detect --help says what detect does")
    func help() {
        let run = tapwalker("detect", "--help")
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("IDCODE"))
        #expect(run.stdout.contains("--cable"))
        #expect(run.stdout.contains("--json"))
    }
}

@Suite("tapwalker")
struct TapWalkerCommandTests {
    @Test("tapwalker --help lists the commands detect, info and prog")
    func helpListsCommands() {
        let run = tapwalker("--help")
        #expect(run.exitCode == 0)
        for command in ["detect", "info", "prog"] {
            #expect(run.stdout.contains("  \(command) "), "--help does not list \(command)")
        }
    }

    @Test("an unknown command is bad usage: exit 2")
    func unknownCommandIsUsageError() {
        let run = tapwalker("frobnicate")
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("frobnicate"))
    }
}
