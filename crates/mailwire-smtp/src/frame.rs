//! Line framing with a length limit, the stage that runs before any grammar
//! (shared with the other protocol crates).

pub(crate) use mailwire_core::line::{Line, line, line_from};
