//! Kinds of organisational units.

code_enum!(
    /// The level of an organisational unit, from district down to grid.
    UnitKind, what = "单位类型" {
        /// 区
        District = ("district", "区"),
        /// 街道
        Street = ("street", "街道"),
        /// 镇
        Township = ("township", "镇"),
        /// 社区
        Community = ("community", "社区"),
        /// 村
        Village = ("village", "村"),
        /// 网格
        Grid = ("grid", "网格"),
    }
);

impl UnitKind {
    /// Whether a unit of kind `child` may sit directly below a unit of this kind.
    pub fn may_contain(self, child: UnitKind) -> bool {
        use UnitKind::*;
        matches!(
            (self, child),
            (District, Street | Township)
                | (Street, Community | Village)
                | (Township, Community | Village)
                | (Community | Village, Grid)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_kinds_have_codes_and_labels() {
        let pairs: Vec<(&str, &str)> = UnitKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("district", "区"),
                ("street", "街道"),
                ("township", "镇"),
                ("community", "社区"),
                ("village", "村"),
                ("grid", "网格"),
            ]
        );
        assert_eq!("grid".parse::<UnitKind>().unwrap(), UnitKind::Grid);
    }

    #[test]
    fn hierarchy_goes_downwards_only() {
        assert!(UnitKind::District.may_contain(UnitKind::Street));
        assert!(UnitKind::Street.may_contain(UnitKind::Community));
        assert!(UnitKind::Community.may_contain(UnitKind::Grid));
        assert!(!UnitKind::Grid.may_contain(UnitKind::Community));
        assert!(!UnitKind::District.may_contain(UnitKind::Grid));
        assert!(!UnitKind::Street.may_contain(UnitKind::Street));
    }
}
