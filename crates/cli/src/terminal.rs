//! Output to the terminal: answers to standard output or a file, and a
//! progress bar on standard error.

use crate::import::Progress;
use anyhow::Context;

/// Writes `text` to the file `out`, or to standard output.
pub(crate) fn write_out(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// A progress bar on standard error, hidden when it is not a terminal.
pub(crate) struct TerminalProgress(indicatif::ProgressBar);

impl TerminalProgress {
    /// A bar, hidden when standard error is not a terminal.
    pub(crate) fn new() -> Self {
        let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} importing [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(bar)
    }
}

impl Progress for TerminalProgress {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
