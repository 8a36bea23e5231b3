// Test design with initialised block RAM: a 512 x 8 ROM loaded from rom.hex, read synchronously
// (so yosys maps it to a DP16KD EBR and ecppack emits LSC_EBR_ADDRESS/LSC_EBR_WRITE init data)
// and stepped through about every 21 ms; the data drives the LEDs so the RAM cannot be optimised away.
module top (
    input  wire       clk_25mhz,
    output reg  [7:0] led
);
    reg [7:0] rom [0:511];
    initial $readmemh("rom.hex", rom);

    reg [27:0] counter = 0;
    always @(posedge clk_25mhz) begin
        counter <= counter + 1;
        led <= rom[counter[27:19]];   // registered read: block RAM, not LUTs
    end
endmodule
