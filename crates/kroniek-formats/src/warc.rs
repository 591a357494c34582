//! WARC files (being written).
use std::io::BufRead;

use crate::{Options, RecordError, RecordResult};

pub(crate) fn read<'a, R: BufRead + 'a>(
    _input: R,
    _options: Options,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    Box::new(std::iter::once(Err(RecordError::fatal(
        "",
        "warc reading is not available yet",
    ))))
}
