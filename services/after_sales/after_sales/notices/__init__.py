"""Marketing consent (PIPL 个人信息保护法 营销同意) and the notices (优惠活动通知) sent to consenting customers."""
