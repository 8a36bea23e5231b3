// Minimal test design: a free-running counter on the 25 MHz clock shown on the 8 LEDs
// (led[7] toggles about every 0.67 s). Used as the smallest realistic bitstream (no EBR init).
module top (
    input  wire       clk_25mhz,
    output wire [7:0] led
);
    reg [26:0] counter = 0;
    always @(posedge clk_25mhz)
        counter <= counter + 1;
    assign led = counter[26:19];
endmodule
