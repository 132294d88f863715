/** What personal text is replaced with when a consumer's data is erased (个人信息删除), and the name they are shown under then. */
export const ERASED_TEXT = '（用户已删除个人信息）';
export const ERASED_NAME = '已注销用户';
