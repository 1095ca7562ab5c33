"""Customer grades (客户等级: VIP / 一级 / 二级 / 其他) from the last 12 months' spend."""
