//! Fuzzes the whole importer: any bytes, any format hint, must give an extraction whose
//! offsets are consistent, and never panic.
#![no_main]

use fazhi_importer::{Format, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (hint, bytes) = match data.split_first() {
        Some((h, rest)) => (
            match h % 4 {
                0 => None,
                1 => Some(Format::Text),
                2 => Some(Format::Html),
                _ => Some(Format::Docx),
            },
            rest,
        ),
        None => (None, data),
    };
    let ex = extract(bytes, hint);
    let chars: Vec<char> = ex.decoded_text.chars().collect();
    for f in &ex.figures {
        assert!(f.start <= f.end && f.end <= chars.len());
        assert_eq!(chars[f.start..f.end].iter().collect::<String>(), f.text);
    }
    for s in &ex.sections {
        assert!(s.start <= s.end && s.end <= chars.len());
    }
});
