"""Customer files (客户档案): opened on delivery, their cars' plates, service records (保养) and reminders."""
