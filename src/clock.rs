//! Wall-clock time as Unix seconds: the one clock every layer reads, so that none has to reach
//! into another for it.

/// Seconds since the Unix epoch (0 if the system clock is set before it).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
