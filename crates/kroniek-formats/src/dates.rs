//! Publication dates as they appear in the wild: ISO 8601, RFC 3339, RFC 2822 (RSS).

use kroniek_core::PubDate;

/// Parses a publication date in any of the forms feeds and pages use:
/// `2019`, `2019-02`, `2019-02-10`, `2019-02-10T08:00:00Z`, `Sun, 10 Feb 2019 08:00:00 GMT`,
/// `20190210`, `10 februari 2019`, `February 10, 2019` (English and Dutch month names).
/// Returns `None` when nothing sensible can be read.
pub fn parse_date(s: &str) -> Option<PubDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = PubDate::parse(s) {
        return Some(d);
    }
    // RFC 2822 as used by RSS <pubDate>; jiff parses the strict form, so help it with a
    // few common deviations (missing seconds, named zones it may not know).
    if let Ok(zoned) = jiff::fmt::rfc2822::parse(s) {
        let d = zoned.date();
        return PubDate::from_ymd(d.year(), d.month(), d.day());
    }
    // Compact `YYYYMMDD` (some CMSs), optionally followed by a time.
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() == 8 {
        return PubDate::parse(&format!(
            "{}-{}-{}",
            &digits[..4],
            &digits[4..6],
            &digits[6..]
        ));
    }
    // `Sun, 10 Feb 2019` or `10 februari 2019` without a time, or `February 10, 2019`.
    let words: Vec<&str> = s.split([' ', ',', '.']).filter(|w| !w.is_empty()).collect();
    for w in words.windows(3) {
        let year = w[2].parse::<i16>().ok();
        if let (Ok(day), Some(month), Some(year)) = (w[0].parse::<i8>(), month_number(w[1]), year) {
            return PubDate::from_ymd(year, month, day);
        }
        if let (Some(month), Ok(day), Some(year)) = (month_number(w[0]), w[1].parse::<i8>(), year) {
            return PubDate::from_ymd(year, month, day);
        }
    }
    None
}

/// The month of an English or Dutch month name or an abbreviation of one (`feb`, `mrt`,
/// `sept`); `maandag` or `marathon` are not months.
fn month_number(name: &str) -> Option<i8> {
    const NAMES: [(&str, i8); 20] = [
        ("january", 1),
        ("januari", 1),
        ("february", 2),
        ("februari", 2),
        ("march", 3),
        ("maart", 3),
        ("april", 4),
        ("may", 5),
        ("mei", 5),
        ("june", 6),
        ("juni", 6),
        ("july", 7),
        ("juli", 7),
        ("august", 8),
        ("augustus", 8),
        ("september", 9),
        ("october", 10),
        ("oktober", 10),
        ("november", 11),
        ("december", 12),
    ];
    let n = name.to_ascii_lowercase();
    if n == "mrt" {
        return Some(3);
    }
    if n.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .find(|(full, _)| full.starts_with(n.as_str()))
        .map(|&(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_feed_dates() {
        assert_eq!(
            parse_date("Sun, 10 Feb 2019 08:00:00 GMT")
                .unwrap()
                .to_string(),
            "2019-02-10"
        );
        assert_eq!(
            parse_date("Sun, 10 Feb 2019 08:00:00 +0100")
                .unwrap()
                .to_string(),
            "2019-02-10"
        );
        assert_eq!(parse_date("10 Feb 2019").unwrap().to_string(), "2019-02-10");
        assert_eq!(
            parse_date("2019-02-10T08:00:00+01:00").unwrap().to_string(),
            "2019-02-10"
        );
        assert_eq!(parse_date("20190210").unwrap().to_string(), "2019-02-10");
        assert_eq!(parse_date("2019-02").unwrap().to_string(), "2019-02");
        assert_eq!(
            parse_date("10 februari 2019").unwrap().to_string(),
            "2019-02-10"
        );
        assert_eq!(parse_date("3 mrt. 2019").unwrap().to_string(), "2019-03-03");
        assert_eq!(parse_date("1 mei 2018").unwrap().to_string(), "2018-05-01");
        assert_eq!(
            parse_date("February 10, 2019").unwrap().to_string(),
            "2019-02-10"
        );
        assert_eq!(
            parse_date("maandag 4 maart 2019").unwrap().to_string(),
            "2019-03-04"
        );
        assert_eq!(parse_date("Sept 9 2019").unwrap().to_string(), "2019-09-09");
        assert_eq!(parse_date("marathon 4 2019"), None);
        assert_eq!(parse_date("gisteren"), None);
        assert_eq!(parse_date("10 mayo é 2019"), None);
        assert_eq!(parse_date("31 Feb 2019"), None);
    }
}
