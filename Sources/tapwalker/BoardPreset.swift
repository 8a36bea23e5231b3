/// Boards `--board` knows: the cable each carries on board, opened when no `--cable` is given.
struct BoardPreset {
    let name: String
    let cable: String
    let summary: String

    static let all: [BoardPreset] = [
        BoardPreset(name: "ulx3s", cable: "ft231x", summary: "Radiona ULX3S: its FT231X in bit-bang, TMS=DCD, TCK=DSR, TDI=RI, TDO=CTS"),
    ]
}
