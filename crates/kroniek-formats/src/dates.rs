//! Publication dates as they appear in the wild: ISO 8601, RFC 3339, RFC 2822 (RSS).

use kroniek_core::PubDate;

/// Parses a publication date in any of the forms feeds and pages use:
/// `2019`, `2019-02`, `2019-02-10`, `2019-02-10T08:00:00Z`, `Sun, 10 Feb 2019 08:00:00 GMT`,
/// `20190210`. Returns `None` when nothing sensible can be read.
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
    // `Sun, 10 Feb 2019` without a time: take the day, month name and year.
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    for w in words.windows(3) {
        if let (Ok(day), Some(month), Ok(year)) =
            (w[0].parse::<i8>(), month_number(w[1]), w[2].parse::<i16>())
        {
            return PubDate::from_ymd(year, month, day);
        }
    }
    None
}

fn month_number(name: &str) -> Option<i8> {
    let n = name.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| n.starts_with(m))
        .map(|i| i as i8 + 1)
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
        assert_eq!(parse_date("gisteren"), None);
        assert_eq!(parse_date("31 Feb 2019"), None);
    }
}
