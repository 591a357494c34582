//! Calendar units ("granules") with their TIMEX3 value and their day interval.
//! Every operation is checked: out-of-range dates give `None`, never a panic.

use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::Span;

/// A calendar unit a date expression can denote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum G {
    Day(Date),
    /// ISO year and week.
    Week(i16, i8),
    /// Weekend of an ISO week.
    Weekend(i16, i8),
    Month(i16, i8),
    Quarter(i16, i8),
    Half(i16, i8),
    /// Year and season 0..4 = SP, SU, FA, WI.
    Season(i16, i8),
    Year(i16),
    /// First three digits of the years (199 = the 1990s).
    Decade(i16),
    /// First two digits (19 = 1900–1999).
    Century(i16),
}

pub(crate) const SEASONS: [&str; 4] = ["SP", "SU", "FA", "WI"];

pub(crate) fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().try_days(n).ok()?).ok()
}

pub(crate) fn add_months(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().try_months(n).ok()?).ok()
}

pub(crate) fn ymd(y: i64, m: i64, d: i64) -> Option<Date> {
    if !(1..=9999).contains(&y) {
        return None;
    }
    Date::new(y as i16, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

fn month_end(y: i16, m: i8) -> Option<Date> {
    Some(ymd(y as i64, m as i64, 1)?.last_of_month())
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus), from which the
/// moveable feasts are counted (Good Friday -2, Ascension +39, Pentecost +49).
pub(crate) fn easter(y: i64) -> Option<Date> {
    if !(1583..=9999).contains(&y) {
        return None;
    }
    let a = y % 19;
    let (b, c) = (y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(y, month, day)
}

pub(crate) fn weekday_num(d: Date) -> i8 {
    d.weekday().to_monday_one_offset()
}

/// The rank (see [`G::rank`]) of a unit code; unknown codes rank as days.
pub(crate) fn unit_rank(code: &str) -> u8 {
    match code {
        "W" | "WE" => 1,
        "M" => 2,
        "Q" => 3,
        "HALF" => 4,
        "Y" => 5,
        "DE" => 6,
        "CE" => 7,
        _ => 0,
    }
}

impl G {
    /// The unit of `code` (Y, M, W, D, Q, HALF, WE, DE, CE) that contains `d`.
    pub fn of(code: &str, d: Date) -> Option<G> {
        let w = d.iso_week_date();
        Some(match code {
            "D" | "H" | "MIN" | "S" => G::Day(d),
            "W" => G::Week(w.year(), w.week()),
            "WE" => G::Weekend(w.year(), w.week()),
            "M" => G::Month(d.year(), d.month()),
            "Q" => G::Quarter(d.year(), (d.month() - 1) / 3 + 1),
            "HALF" => G::Half(d.year(), (d.month() - 1) / 6 + 1),
            "Y" => G::Year(d.year()),
            "DE" => G::Decade(d.year() / 10),
            "CE" => G::Century(d.year() / 100),
            _ => return None,
        })
    }

    /// First day.
    pub fn start(self) -> Option<Date> {
        match self {
            G::Day(d) => Some(d),
            G::Week(y, w) => ISOWeekDate::new(y, w, Weekday::Monday)
                .ok()
                .map(|x| x.date()),
            G::Weekend(y, w) => ISOWeekDate::new(y, w, Weekday::Saturday)
                .ok()
                .map(|x| x.date()),
            G::Month(y, m) => ymd(y as i64, m as i64, 1),
            G::Quarter(y, q) => ymd(y as i64, (q as i64 - 1) * 3 + 1, 1),
            G::Half(y, h) => ymd(y as i64, (h as i64 - 1) * 6 + 1, 1),
            G::Season(y, s) => match s {
                3 => ymd(y as i64, 12, 1),
                _ => ymd(y as i64, 3 + 3 * s as i64, 1),
            },
            G::Year(y) => ymd(y as i64, 1, 1),
            G::Decade(d) => ymd((d as i64 * 10).max(1), 1, 1),
            G::Century(c) => ymd((c as i64 * 100).max(1), 1, 1),
        }
    }

    /// Last day.
    pub fn end(self) -> Option<Date> {
        match self {
            G::Day(d) => Some(d),
            G::Week(y, w) | G::Weekend(y, w) => ISOWeekDate::new(y, w, Weekday::Sunday)
                .ok()
                .map(|x| x.date()),
            G::Month(y, m) => month_end(y, m),
            G::Quarter(y, q) => month_end(y, q * 3),
            G::Half(y, h) => month_end(y, h * 6),
            G::Season(y, s) => match s {
                3 => month_end(y.checked_add(1)?, 2),
                _ => month_end(y, 5 + 3 * s),
            },
            G::Year(y) => ymd(y as i64, 12, 31),
            G::Decade(d) => ymd(d as i64 * 10 + 9, 12, 31),
            G::Century(c) => ymd(c as i64 * 100 + 99, 12, 31),
        }
    }

    /// The same kind of unit `n` steps later (earlier when negative).
    pub fn shift(self, n: i64) -> Option<G> {
        Some(match self {
            G::Day(d) => G::Day(add_days(d, n)?),
            G::Week(..) | G::Weekend(..) => {
                let d = add_days(self.start()?, n.checked_mul(7)?)?;
                let w = d.iso_week_date();
                if matches!(self, G::Week(..)) {
                    G::Week(w.year(), w.week())
                } else {
                    G::Weekend(w.year(), w.week())
                }
            }
            G::Month(y, m) => {
                let d = add_months(ymd(y as i64, m as i64, 1)?, n)?;
                G::Month(d.year(), d.month())
            }
            G::Quarter(y, q) => {
                let i = (y as i64 * 4 + (q as i64 - 1)).checked_add(n)?;
                G::Quarter(year16(i.div_euclid(4))?, (i.rem_euclid(4) + 1) as i8)
            }
            G::Half(y, h) => {
                let i = (y as i64 * 2 + (h as i64 - 1)).checked_add(n)?;
                G::Half(year16(i.div_euclid(2))?, (i.rem_euclid(2) + 1) as i8)
            }
            G::Season(y, s) => G::Season(year16((y as i64).checked_add(n)?)?, s),
            G::Year(y) => G::Year(year16((y as i64).checked_add(n)?)?),
            G::Decade(d) => G::Decade(
                i16::try_from((d as i64).checked_add(n)?)
                    .ok()
                    .filter(|d| (0..=999).contains(d))?,
            ),
            G::Century(c) => G::Century(
                i16::try_from((c as i64).checked_add(n)?)
                    .ok()
                    .filter(|c| (0..=99).contains(c))?,
            ),
        })
    }

    /// How coarse the unit is: 0 for a day up to 7 for a century.
    pub fn rank(self) -> u8 {
        match self {
            G::Day(_) => 0,
            G::Week(..) | G::Weekend(..) => 1,
            G::Month(..) => 2,
            G::Quarter(..) | G::Season(..) => 3,
            G::Half(..) => 4,
            G::Year(_) => 5,
            G::Decade(_) => 6,
            G::Century(_) => 7,
        }
    }

    /// `self` when it is a day in month `m`, else `None`.
    pub fn filter_month(self, m: i64) -> Option<G> {
        match self {
            G::Day(d) if d.month() as i64 == m => Some(self),
            _ => None,
        }
    }

    /// The TIMEX3 value.
    pub fn value(self) -> String {
        match self {
            G::Day(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            G::Week(y, w) => format!("{y:04}-W{w:02}"),
            G::Weekend(y, w) => format!("{y:04}-W{w:02}-WE"),
            G::Month(y, m) => format!("{y:04}-{m:02}"),
            G::Quarter(y, q) => format!("{y:04}-Q{q}"),
            G::Half(y, h) => format!("{y:04}-H{h}"),
            G::Season(y, s) => format!("{y:04}-{}", SEASONS[(s as usize) % 4]),
            G::Year(y) => format!("{y:04}"),
            G::Decade(d) => format!("{d:03}"),
            G::Century(c) => format!("{c:02}"),
        }
    }
}

fn year16(y: i64) -> Option<i16> {
    if (1..=9999).contains(&y) {
        Some(y as i16)
    } else {
        None
    }
}

/// Narrows `[start, end]` to its first, middle or last third for START/MID/END
/// (and to the same for the EARLY/LATE synonyms some corpora use).
pub(crate) fn narrow(start: Date, end: Date, modifier: Option<&str>) -> (Date, Date) {
    let Ok(span) = start.until(end) else {
        return (start, end);
    };
    let days = span.get_days() as i64;
    if days < 6 {
        return (start, end);
    }
    let third = (days + 1) / 3;
    match modifier {
        Some("START") => (start, add_days(start, third - 1).unwrap_or(end)),
        Some("MID") => (
            add_days(start, third).unwrap_or(start),
            add_days(end, -third).unwrap_or(end),
        ),
        Some("END") => (add_days(end, -(third - 1)).unwrap_or(start), end),
        _ => (start, end),
    }
}

/// Merges two values of the same shape field by field, replacing differing fields with
/// `X` from the first differing field on: `2019-01-30` and `2019-02-27` give `2019-XX-XX`,
/// `2017-W01` and `2018-W01` give `XXXX-WXX`.
pub(crate) fn merge_values(a: &str, b: &str) -> String {
    if a == b {
        return a.to_string();
    }
    // A time of day is known whatever the day: "6 p.m." in an article dated to the month
    // is `2024-03-XXT18:00`, not `2024-03-XXTXXXXX`.
    if let (Some((da, ta)), Some((db, tb))) = (a.split_once('T'), b.split_once('T')) {
        if ta == tb {
            return format!("{}T{ta}", merge_values(da, db));
        }
    }
    let fa: Vec<&str> = a.split(['-', 'T']).collect();
    let fb: Vec<&str> = b.split(['-', 'T']).collect();
    if fa.len() != fb.len() || a.len() != b.len() {
        return "XXXX-XX-XX".chars().take(a.len().min(10)).collect();
    }
    let mut out = String::with_capacity(a.len());
    let seps: Vec<char> = a.chars().filter(|c| *c == '-' || *c == 'T').collect();
    // Once a field differs, every finer field is unknown too.
    let mut differ = false;
    for (k, (x, y)) in fa.iter().zip(&fb).enumerate() {
        if k > 0 {
            out.push(seps[k - 1]);
        }
        differ |= x != y;
        if !differ {
            out.push_str(x);
        } else {
            // Keep a leading letter such as the W of a week or the Q of a quarter.
            let lead: String = x.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            out.push_str(&lead);
            out.extend(std::iter::repeat_n('X', x.len() - lead.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_cross_year_ends() {
        let d = ymd(2018, 12, 31).unwrap();
        assert_eq!(G::of("W", d).unwrap().value(), "2019-W01");
        assert_eq!(
            G::of("W", ymd(2021, 1, 3).unwrap()).unwrap().value(),
            "2020-W53"
        );
        assert_eq!(G::Week(2020, 53).shift(1).unwrap().value(), "2021-W01");
        assert_eq!(G::Quarter(2019, 1).shift(-1).unwrap().value(), "2018-Q4");
        assert_eq!(G::Season(2019, 3).end().unwrap().to_string(), "2020-02-29");
    }

    #[test]
    fn merging_replaces_fields() {
        assert_eq!(merge_values("2019-01-30", "2019-02-27"), "2019-XX-XX");
        assert_eq!(merge_values("2019-W06", "2019-W10"), "2019-WXX");
        assert_eq!(merge_values("2019", "2019"), "2019");
        assert_eq!(merge_values("2017-W01", "2018-W01"), "XXXX-WXX");
    }

    #[test]
    fn absurd_dates_give_none() {
        assert!(ymd(99999, 1, 1).is_none());
        assert!(ymd(2019, 2, 31).is_none());
        assert!(G::Year(9999).shift(1).is_none());
        assert!(add_days(ymd(9999, 12, 31).unwrap(), 1).is_none());
    }

    #[test]
    fn a_known_time_of_day_survives_an_unknown_day() {
        assert_eq!(
            merge_values("2024-03-01T18:00", "2024-03-31T18:00"),
            "2024-03-XXT18:00"
        );
        assert_eq!(
            merge_values("2024-02-29TEV", "2024-03-30TEV"),
            "2024-XX-XXTEV"
        );
        assert_eq!(
            merge_values("2024-03-01T18:00", "2024-03-31T06:00"),
            "2024-03-XXTXXXXX"
        );
        assert_eq!(merge_values("2019-01-30", "2019-02-27"), "2019-XX-XX");
    }

    #[test]
    fn easter_sundays_of_known_years() {
        // The extremes (22 March, 25 April) and ordinary years.
        for (y, m, d) in [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter(y), ymd(y, m, d), "{y}");
        }
        // Before the Gregorian calendar and beyond four digits there is no answer.
        assert!(easter(1582).is_none());
        assert!(easter(10_000).is_none());
        assert!(easter(i64::MIN).is_none());
    }
}
