//! Masking rules for personal data shown on screens, in logs and in exports.
//!
//! The rules keep just enough to recognise a record: surname of a name, first four and last four
//! characters of an ID number, first three and last four digits of a phone number.

/// Two-character surnames (复姓) that stay visible as a whole.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "百里", "呼延", "南宫", "西门", "独孤", "澹台", "公冶",
    "宗政", "濮阳", "太叔", "申屠", "闻人", "万俟", "单于", "赫连", "拓跋", "羊舌", "司空", "亓官",
    "司寇", "仲孙", "鲜于", "闾丘", "东郭", "南门", "梁丘", "左丘", "第五",
];

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// Masks a person's name: the surname stays, every other character becomes `*`.
///
/// `张三` → `张*`, `欧阳娜娜` → `欧阳**`, `王` → `*`. A compound surname is kept only when at least
/// one character follows it.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => stars(1),
        n => {
            let first_two: String = chars[..2].iter().collect();
            let keep = if n >= 3 && COMPOUND_SURNAMES.contains(&first_two.as_str()) {
                2
            } else {
                1
            };
            let mut out: String = chars[..keep].iter().collect();
            out.push_str(&stars(n - keep));
            out
        }
    }
}

/// Masks an identity-document number: first four and last four characters stay.
///
/// `360426199101010071` → `3604**********0071`. Inputs of 8–15 characters keep only the last
/// four, shorter ones are masked completely, so at least half of any number is hidden.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let n = chars.len();
    if n >= 16 {
        let mut out: String = chars[..4].iter().collect();
        out.push_str(&stars(n - 8));
        out.extend(&chars[n - 4..]);
        out
    } else if n >= 8 {
        let mut out = stars(n - 4);
        out.extend(&chars[n - 4..]);
        out
    } else {
        stars(n)
    }
}

/// Masks a phone number: first three and last four characters stay for numbers of 11 or more
/// characters (`13812345678` → `138****5678`, `0571-87654321` → `057******4321`); shorter
/// numbers keep only their last two characters, and numbers of six or fewer characters are
/// masked completely.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n >= 11 {
        let mut out: String = chars[..3].iter().collect();
        out.push_str(&stars(n - 7));
        out.extend(&chars[n - 4..]);
        out
    } else if n >= 7 {
        let mut out = stars(n - 2);
        out.extend(&chars[n - 2..]);
        out
    } else {
        stars(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_keep_only_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳锋"), "欧阳*");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(" 李四 "), "李*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn id_numbers_keep_four_and_four() {
        assert_eq!(mask_id_number("360426199101010071"), "3604**********0071");
        assert_eq!(mask_id_number("36042619910101007X"), "3604**********007X");
        assert_eq!(mask_id_number("360426910101007"), "***********1007");
        assert_eq!(mask_id_number("12345"), "*****");
    }

    #[test]
    fn phones_keep_three_and_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0571-87654321"), "057******4321");
        assert_eq!(mask_phone("87654321"), "******21");
        assert_eq!(mask_phone("12345"), "*****");
    }

    proptest! {
        #[test]
        fn a_masked_name_reveals_at_most_the_surname(name in "[\\p{Han}]{1,6}") {
            let masked = mask_name(&name);
            let n = name.chars().count();
            prop_assert_eq!(masked.chars().count(), n);
            let visible = masked.chars().filter(|c| *c != '*').count();
            prop_assert!(visible <= 2);
            if n <= 2 {
                prop_assert!(visible <= 1);
            }
            // Everything visible is a prefix of the real name.
            let prefix: String = masked.chars().take_while(|c| *c != '*').collect();
            prop_assert!(name.starts_with(&prefix));
            prop_assert!(masked[prefix.len()..].chars().all(|c| c == '*'));
        }

        #[test]
        fn a_masked_id_number_hides_the_birth_date_and_sequence(id in "[0-9]{17}[0-9X]") {
            let masked = mask_id_number(&id);
            prop_assert_eq!(masked.len(), 18);
            prop_assert_eq!(&masked[..4], &id[..4]);
            prop_assert_eq!(&masked[4..14], "**********");
            prop_assert_eq!(&masked[14..], &id[14..]);
        }

        #[test]
        fn a_masked_phone_hides_at_least_four_middle_digits(phone in "1[3-9][0-9]{9}") {
            let masked = mask_phone(&phone);
            prop_assert_eq!(&masked[..3], &phone[..3]);
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[7..], &phone[7..]);
        }

        #[test]
        fn masking_any_string_hides_enough(s in "\\PC{0,30}") {
            let visible = |m: &str| m.chars().filter(|c| *c != '*').count();
            let hidden = |m: &str| m.chars().filter(|c| *c == '*').count();

            let id = mask_id_number(&s);
            prop_assert!(visible(&id) <= 8);
            prop_assert!(visible(&id) * 2 <= id.chars().count(), "{id}");

            let phone = mask_phone(&s);
            let n = phone.chars().count();
            prop_assert!(visible(&phone) <= 7);
            prop_assert!(hidden(&phone) >= n.min(4), "{phone}");
        }
    }
}
