//! HTML article pages (being written).
use std::io::BufRead;

use crate::{Options, RecordError, RecordResult};

pub(crate) fn read<R: BufRead>(_input: R, _options: &Options) -> RecordResult {
    Err(RecordError::fatal("", "html reading is not available yet"))
}
