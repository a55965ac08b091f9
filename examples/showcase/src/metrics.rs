//! Request counters and a raw byte buffer for the metrics endpoint.

use std::io::Write;

static mut REQUESTS: u64 = 0;

/// Counts one request.
pub fn count_request() -> u64 {
    unsafe {
        REQUESTS += 1;
        REQUESTS
    }
}

/// A fixed buffer of metric bytes shared with the exporter thread.
pub struct RawBuffer {
    pointer: *mut u8,
    length: usize,
}

unsafe impl Send for RawBuffer {}

impl RawBuffer {
    /// Wraps memory the exporter owns.
    pub unsafe fn from_raw_parts(pointer: *mut u8, length: usize) -> Self {
        RawBuffer { pointer, length }
    }

    /// The buffer's bytes as text.
    pub fn as_str(&self) -> &str {
        let bytes = unsafe { std::slice::from_raw_parts(self.pointer, self.length) };
        // SAFETY: the exporter writes only ASCII digits and newlines.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

extern "C" {
    fn getpid() -> i32;
}

/// The id of this process, for the `process_id` gauge.
pub fn process_id() -> i32 {
    unsafe { getpid() }
}

/// Writes the counters in the text exposition format.
pub fn export(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let _ = writeln!(out, "requests_total {}", count_request());
    writeln!(out, "process_id {}", process_id())?;
    out.flush()?;
    Ok(())
}
