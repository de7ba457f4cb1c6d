// A struct holding more section types than the default recursion limit
// allows (each costs two nested expansions) builds once the crate raises
// the limit, as the README says and the compiler suggests.
#![recursion_limit = "256"]

macro_rules! sections {
    ($($name:ident)*) => {
        $(
            #[derive(telemetry_core::TelemetrySection)]
            pub struct $name {
                /// Count.
                pub count: u32,
            }
        )*
    };
}
sections!(S0 S1 S2 S3 S4 S5 S6 S7 S8 S9 S10 S11 S12 S13 S14 S15 S16 S17 S18 S19 S20 S21 S22 S23 S24 S25 S26 S27 S28 S29 S30 S31 S32 S33 S34 S35 S36 S37 S38 S39 S40 S41 S42 S43 S44 S45 S46 S47 S48 S49 S50 S51 S52 S53 S54 S55 S56 S57 S58 S59 S60 S61 S62 S63 S64 S65 S66 S67 S68 S69);

#[derive(telemetry_core::TelemetrySection)]
pub struct Holder {
    /// Section.
    pub s0: S0,
    /// Section.
    pub s1: S1,
    /// Section.
    pub s2: S2,
    /// Section.
    pub s3: S3,
    /// Section.
    pub s4: S4,
    /// Section.
    pub s5: S5,
    /// Section.
    pub s6: S6,
    /// Section.
    pub s7: S7,
    /// Section.
    pub s8: S8,
    /// Section.
    pub s9: S9,
    /// Section.
    pub s10: S10,
    /// Section.
    pub s11: S11,
    /// Section.
    pub s12: S12,
    /// Section.
    pub s13: S13,
    /// Section.
    pub s14: S14,
    /// Section.
    pub s15: S15,
    /// Section.
    pub s16: S16,
    /// Section.
    pub s17: S17,
    /// Section.
    pub s18: S18,
    /// Section.
    pub s19: S19,
    /// Section.
    pub s20: S20,
    /// Section.
    pub s21: S21,
    /// Section.
    pub s22: S22,
    /// Section.
    pub s23: S23,
    /// Section.
    pub s24: S24,
    /// Section.
    pub s25: S25,
    /// Section.
    pub s26: S26,
    /// Section.
    pub s27: S27,
    /// Section.
    pub s28: S28,
    /// Section.
    pub s29: S29,
    /// Section.
    pub s30: S30,
    /// Section.
    pub s31: S31,
    /// Section.
    pub s32: S32,
    /// Section.
    pub s33: S33,
    /// Section.
    pub s34: S34,
    /// Section.
    pub s35: S35,
    /// Section.
    pub s36: S36,
    /// Section.
    pub s37: S37,
    /// Section.
    pub s38: S38,
    /// Section.
    pub s39: S39,
    /// Section.
    pub s40: S40,
    /// Section.
    pub s41: S41,
    /// Section.
    pub s42: S42,
    /// Section.
    pub s43: S43,
    /// Section.
    pub s44: S44,
    /// Section.
    pub s45: S45,
    /// Section.
    pub s46: S46,
    /// Section.
    pub s47: S47,
    /// Section.
    pub s48: S48,
    /// Section.
    pub s49: S49,
    /// Section.
    pub s50: S50,
    /// Section.
    pub s51: S51,
    /// Section.
    pub s52: S52,
    /// Section.
    pub s53: S53,
    /// Section.
    pub s54: S54,
    /// Section.
    pub s55: S55,
    /// Section.
    pub s56: S56,
    /// Section.
    pub s57: S57,
    /// Section.
    pub s58: S58,
    /// Section.
    pub s59: S59,
    /// Section.
    pub s60: S60,
    /// Section.
    pub s61: S61,
    /// Section.
    pub s62: S62,
    /// Section.
    pub s63: S63,
    /// Section.
    pub s64: S64,
    /// Section.
    pub s65: S65,
    /// Section.
    pub s66: S66,
    /// Section.
    pub s67: S67,
    /// Section.
    pub s68: S68,
    /// Section.
    pub s69: S69,
}

fn main() {}
