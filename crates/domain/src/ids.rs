//! Typed identifiers: newtypes over the database's `i64` keys.

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// Wraps a raw key.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw key (for the store layer).
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<i64>().map(Self)
            }
        }
    };
}

typed_id!(
    /// An organisational unit (区, 街道, 社区, 网格, …).
    UnitId
);
typed_id!(
    /// A department of a unit (司法所, 综合行政执法队, …).
    DepartmentId
);
typed_id!(
    /// A login account.
    UserId
);
typed_id!(
    /// A case of any case type.
    CaseId
);
typed_id!(
    /// An enforcement officer (执法人员).
    OfficerId
);
typed_id!(
    /// An enforcement certificate (执法证).
    CertificateId
);
typed_id!(
    /// An evidence item attached to a case.
    EvidenceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_bare_integers_and_display_as_numbers() {
        let id = CaseId::new(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<CaseId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!(" 7 ".parse::<UnitId>().unwrap(), UnitId(7));
        assert!("x".parse::<UserId>().is_err());
        assert_eq!(i64::from(OfficerId::from(5)), 5);
    }
}
