//! The host's clock, checked where it enters the core: whole seconds since the Unix epoch, at
//! or after 2000-01-01 and below 2^53. A clock outside that range is a host's fault (an unset
//! clock, a NaN, a string read as a number), and deciding with it would fail open: at 0, a
//! token that expired in 1970 is still valid. Hosts that hold the time as a double (JavaScript)
//! convert it with Rust's saturating `as i64`, which floors a fraction, makes NaN 0 and an
//! infinity the extreme: every bad double lands outside the range.

/// 2000-01-01T00:00:00Z.
pub const EARLIEST: i64 = 946_684_800;
/// 2^53: above it a double no longer holds every whole second.
pub const LIMIT: i64 = 1 << 53;

/// `now` when it is a time the core decides at.
pub fn whole(now: i64) -> Option<i64> {
    (EARLIEST..LIMIT).contains(&now).then_some(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_times_after_2000_and_below_2_to_the_53() {
        for bad in [i64::MIN, -1, 0, EARLIEST - 1, LIMIT, i64::MAX] {
            assert_eq!(whole(bad), None, "{bad}");
        }
        assert_eq!(whole(1_800_000_000), Some(1_800_000_000));
    }
}
