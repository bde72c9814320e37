//! The workflow's identity-field checks, backed by the real validators of `fazhi-domain`
//! (GB 11643 identity numbers, GB 32100 credit codes, mainland phone numbers).

use fazhi_domain::{IdNumber, Phone, Uscc, UsccCheck};
use fazhi_workflow::{FieldCheck, FieldValidators};
use jiff::civil::Date;

pub struct DomainValidators {
    /// Birth dates may not be after this day.
    pub today: Date,
}

fn invalid(e: fazhi_domain::FieldError) -> FieldCheck {
    FieldCheck::Invalid {
        code: e.code.to_string(),
        message_zh: e.message_zh.into_owned(),
    }
}

impl FieldValidators for DomainValidators {
    fn id_number(&self, raw: &str, on: Date) -> FieldCheck {
        match IdNumber::parse(raw, on.min(self.today)) {
            Ok(id) => FieldCheck::Valid(id.reveal().to_string()),
            Err(e) => invalid(e),
        }
    }

    fn uscc(&self, raw: &str) -> FieldCheck {
        match Uscc::parse(raw) {
            Ok((u, UsccCheck::Valid)) => FieldCheck::Valid(u.as_str().to_string()),
            Ok((u, check)) => {
                let w = check.warning();
                FieldCheck::Warning {
                    value: u.as_str().to_string(),
                    code: w
                        .as_ref()
                        .map(|w| w.code.to_string())
                        .unwrap_or_else(|| "uscc.checksum".into()),
                    message_zh: w
                        .map(|w| w.message_zh.into_owned())
                        .unwrap_or_else(|| "校验位与计算结果不符，请核实".into()),
                }
            }
            Err(e) => invalid(e),
        }
    }

    fn phone(&self, raw: &str) -> FieldCheck {
        match Phone::parse(raw) {
            Ok(p) => FieldCheck::Valid(p.reveal().to_string()),
            Err(e) => invalid(e),
        }
    }
}
