//! The photo metadata cleaner (`cases::scrub::Scrubber`), which rewrites uploaded JPEG and PNG
//! files segment by segment as they stream in.
//!
//! Input: `[piece size] file`. The file is cleaned once whole and once in pieces of that size
//! (as the network might deliver it): both must give the same bytes and the same outcome. A
//! cleaned file, cleaned again, must come out unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbox::cases::scrub::{Outcome, ScrubError, Scrubber};

fn clean<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> (Vec<u8>, Result<Outcome, String>) {
    let mut out = Vec::new();
    let mut scrubber = Scrubber::new();
    for piece in pieces {
        if let Err(e) = scrubber.write(piece, &mut out) {
            return (out, Err(describe(e)));
        }
    }
    let outcome = scrubber.finish(&mut out).map_err(describe);
    (out, outcome)
}

fn describe(e: ScrubError) -> String {
    match e {
        ScrubError::Malformed(why) => why.to_owned(),
        ScrubError::Io(e) => panic!("writing to memory cannot fail: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, file)) = data.split_first() else {
        return;
    };
    let size = usize::from(size % 64) + 1;
    let (whole, whole_outcome) = clean(std::iter::once(file));
    let (pieces, pieces_outcome) = clean(file.chunks(size));
    assert_eq!(
        whole_outcome, pieces_outcome,
        "outcome depends on how the file was split"
    );
    if whole_outcome.is_ok() {
        assert_eq!(whole, pieces, "output depends on how the file was split");
    }
    if let Ok(Outcome::Cleaned(_)) = whole_outcome {
        let (again, outcome) = clean(std::iter::once(whole.as_slice()));
        assert_eq!(
            outcome, whole_outcome,
            "a cleaned file does not clean again"
        );
        assert_eq!(again, whole, "cleaning a cleaned file changed it");
    }
});
