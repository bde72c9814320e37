//! Heading numbers by depth (GB/T 9704-2012 clause 7.3.3) and list-item leads.

/// Chinese numeral for `n` ≥ 1 (up to 9999; larger numbers fall back to Arabic digits):
/// 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五.
pub fn cn_numeral(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return D[0].to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    if (10..20).contains(&n) {
        return if n == 10 {
            "十".to_owned()
        } else {
            format!("十{}", D[n - 10])
        };
    }
    let units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (u, name) in units {
        let d = (n / u) % 10;
        if d == 0 {
            if !out.is_empty() {
                zero_pending = true;
            }
            continue;
        }
        if zero_pending {
            out.push_str(D[0]);
            zero_pending = false;
        }
        out.push_str(D[d]);
        out.push_str(name);
    }
    out
}

/// The number of the `index`-th (0-based) heading at `depth` (0-based):
/// `一、` / `（一）` / `1.` / `（1）` / `①` (deeper levels; `(n)` past ⑳).
pub fn heading_number(depth: usize, index: usize) -> String {
    let n = index + 1;
    match depth {
        0 => format!("{}、", cn_numeral(n)),
        1 => format!("（{}）", cn_numeral(n)),
        2 => format!("{n}."),
        3 => format!("（{n}）"),
        _ => {
            if n <= 20 {
                char::from_u32(0x2460 + n as u32 - 1)
                    .map(String::from)
                    .unwrap_or_else(|| format!("({n})"))
            } else {
                format!("({n})")
            }
        }
    }
}

/// Lead of the `index`-th (0-based) list item: 一是, 二是, … 十是, 十一是.
pub fn item_lead(index: usize) -> String {
    format!("{}是", cn_numeral(index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let got: Vec<String> = [1, 2, 9, 10, 11, 19, 20, 21, 99, 100, 105, 110, 1001, 2024]
            .iter()
            .map(|&n| cn_numeral(n))
            .collect();
        assert_eq!(
            got,
            [
                "一",
                "二",
                "九",
                "十",
                "十一",
                "十九",
                "二十",
                "二十一",
                "九十九",
                "一百",
                "一百零五",
                "一百一十",
                "一千零一",
                "二千零二十四"
            ]
        );
    }

    #[test]
    fn heading_numbers() {
        assert_eq!(heading_number(0, 0), "一、");
        assert_eq!(heading_number(0, 3), "四、");
        assert_eq!(heading_number(1, 9), "（十）");
        assert_eq!(heading_number(1, 10), "（十一）");
        assert_eq!(heading_number(2, 0), "1.");
        assert_eq!(heading_number(3, 1), "（2）");
        assert_eq!(heading_number(4, 0), "①");
        assert_eq!(heading_number(4, 19), "⑳");
        assert_eq!(heading_number(4, 20), "(21)");
        assert_eq!(item_lead(0), "一是");
        assert_eq!(item_lead(10), "十一是");
    }
}
