import { defineTexts, fill, type Locale, type Params } from "../i18n/index.js";

/**
 * What the parties and staff are told about documents: short, the case code in every line, one thing
 * to do next (press 收到). Document names are the legal titles, kept in Chinese in both languages.
 */
export const DOCUMENT_TEXTS = defineTexts({
  "zh-CN": {
    "name.acceptance_notice": "受理通知书",
    "name.session_notice": "调解通知书",
    "name.agreement": "人民调解协议书",
    "name.termination_notice": "终止调解通知书",
    "name.rejection_notice": "不予受理通知书",
    "name.service_proof": "送达回证",
    caption: "《{name}》（案件 {code}）\nSHA-256：{sha}",
    served: "这是您的《{name}》（案件 {code}），有法律效力，请保存好。\n文件打不开？点这个链接下载（{days} 天内有效）：\n{link}\n看过后请点「收到」。",
    resent: "您还没有打开《{name}》（案件 {code}），再发一次。\n下载链接（{days} 天内有效）：\n{link}\n看过后请点「收到」。",
    ack: "收到",
    acked: "好的，已记下您在 {when} 收到《{name}》（案件 {code}）。",
    ackedBefore: "您已确认收到《{name}》，不用再点。",
    ackUnknown: "找不到这份文书。请点「我的案件」查看。",
    "staff.paper": "案件 {code}：《{name}》需纸质送达给{role}{who}（{why}）。送达地址：{address}",
    "staff.paper.post": "当事人选择纸质送达",
    "staff.paper.noChat": "没有同意电子送达的聊天",
    "staff.notOpened": "案件 {code}：{role}{who} 在 {days} 天内没有打开《{name}》，已重新发送。如仍未打开，请电话联系或纸质送达。",
    "role.claimant": "申请人",
    "role.respondent": "被申请人",
    "role.other": "当事人",
    noAddress: "未登记",
  },
  en: {
    "name.acceptance_notice": "受理通知书 (acceptance notice)",
    "name.session_notice": "调解通知书 (session notice)",
    "name.agreement": "人民调解协议书 (mediation agreement)",
    "name.termination_notice": "终止调解通知书 (termination notice)",
    "name.rejection_notice": "不予受理通知书 (notice of non-acceptance)",
    "name.service_proof": "送达回证 (proof of service)",
    caption: "{name}, case {code}\nSHA-256: {sha}",
    served: "This is your {name} for case {code}. It is an official document: please keep it.\nCan't open the file? Download it here (valid {days} days):\n{link}\nWhen you have read it, press Received.",
    resent: "You have not opened the {name} for case {code} yet, so here it is again.\nDownload (valid {days} days):\n{link}\nWhen you have read it, press Received.",
    ack: "Received",
    acked: "Thank you. Recorded that you received the {name} for case {code} at {when}.",
    ackedBefore: "You already confirmed the {name}; nothing more to do.",
    ackUnknown: "That document could not be found. Press My case to see yours.",
    "staff.paper": "Case {code}: the {name} must be served on paper to the {role}{who} ({why}). Address: {address}",
    "staff.paper.post": "the party chose paper",
    "staff.paper.noChat": "no chat consented to e-service",
    "staff.notOpened": "Case {code}: the {role}{who} has not opened the {name} within {days} days; it was sent again. If still not opened, call them or serve it on paper.",
    "role.claimant": "claimant",
    "role.respondent": "respondent",
    "role.other": "party",
    noAddress: "none recorded",
  },
});

export type DocumentTextKey = keyof (typeof DOCUMENT_TEXTS)["zh-CN"];

export function docText(locale: Locale, key: DocumentTextKey, params: Params = {}): string {
  return fill(DOCUMENT_TEXTS[locale][key], params);
}
