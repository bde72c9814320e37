//! Roles and data scopes (`docs/case-types.md`, section "Roles").

code_enum!(
    /// What a user may do. Codes are the contract in `docs/case-types.md`.
    Role, what = "角色" {
        /// 系统管理员
        Admin = ("admin", "系统管理员"),
        /// 分管领导
        Leader = ("leader", "分管领导"),
        /// 承办人
        Handler = ("handler", "承办人"),
        /// 法制审核人员
        LegalReviewer = ("legal_reviewer", "法制审核人员"),
        /// 执法人员
        Officer = ("officer", "执法人员"),
        /// 查看人员
        Viewer = ("viewer", "查看人员"),
        /// 社区矫正工作人员: the only role that sees correction subjects' identity fields.
        CorrectionOfficer = ("correction_officer", "社区矫正工作人员"),
    }
);

code_enum!(
    /// Which cases a user may see: the data scope attached to a role assignment.
    Scope, what = "数据范围" {
        /// The user's own unit and every unit below it.
        UnitSubtree = ("unit_subtree", "本单位及下级"),
        /// The user's own department only.
        Department = ("department", "本部门"),
        /// Only cases the user created or is assigned to.
        OwnOnly = ("own_only", "仅本人"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_match_the_contract() {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "admin",
                "leader",
                "handler",
                "legal_reviewer",
                "officer",
                "viewer",
                "correction_officer"
            ]
        );
        assert_eq!(Role::LegalReviewer.label_zh(), "法制审核人员");
        assert_eq!(Role::Leader.to_string(), "分管领导");
    }

    #[test]
    fn codes_round_trip_through_from_str_and_serde() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), *role);
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), *role);
        }
        for scope in Scope::ALL {
            assert_eq!(scope.code().parse::<Scope>().unwrap(), *scope);
        }
        assert_eq!(Scope::OwnOnly.code(), "own_only");
        assert_eq!(Scope::UnitSubtree.label_zh(), "本单位及下级");
    }

    #[test]
    fn unknown_codes_are_rejected_with_a_chinese_message() {
        let err = "superuser".parse::<Role>().unwrap_err();
        assert_eq!(err.to_string(), "未知的角色代码：superuser");
        assert!(serde_json::from_str::<Scope>("\"everything\"").is_err());
        assert!("Admin".parse::<Role>().is_err(), "codes are case-sensitive");
    }
}
