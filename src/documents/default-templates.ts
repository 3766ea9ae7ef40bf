// The zh-CN templates a centre starts from, one per kind, worded as a people's mediation committee
// writes. A centre edits its own copy (validateTemplate checks it); these stay as shipped.
import { KIND_TITLES, type DocumentKind } from "./fields.js";
import { validateTemplate, type DocumentTemplate, type TemplateInput } from "./template.js";

type Blocks = TemplateInput["blocks"];

const p = (text: string): Blocks[number] => ({ type: "paragraph", text });
const salutation = (text: string): Blocks[number] => ({ type: "paragraph", text, indent: false });
const heading = (text: string): Blocks[number] => ({ type: "heading", text });
const FREE_AND_HOTLINE = p("人民调解不收取任何费用。如需法律咨询，可拨打12348公共法律服务热线。");
const CLOSING = p("特此通知。");
const ISSUER: Blocks[number] = { type: "issuer" };

const BLOCKS: Record<DocumentKind, Blocks> = {
  acceptance_notice: [
    salutation("{claimant.name}："),
    p("你于{case.receivedAt}提出的与{respondent.name}之间的{case.disputeType}调解申请，经审查，符合受理条件，本中心决定予以受理。案件编号为{case.code}，查询进度、补充材料或与本中心联系时，请提供此编号。"),
    p("本案由人民调解员{mediator.name}承办，联系电话{mediator.phone}。调解员将于{case.contactBy}前与你联系，商定调解的时间和方式。"),
    p("依照《中华人民共和国人民调解法》的规定，你在调解活动中享有选择或者接受人民调解员，接受调解、拒绝调解或者要求终止调解，要求调解公开进行或者不公开进行，自主表达意愿、自愿达成调解协议的权利；应当如实陈述纠纷事实，遵守调解现场秩序，尊重人民调解员，尊重对方当事人行使权利。"),
    FREE_AND_HOTLINE,
    CLOSING,
    ISSUER,
  ],
  session_notice: [
    salutation("{recipient.name}："),
    p("{claimant.name}与{respondent.name}之间的{case.disputeType}（案件编号：{case.code}），本中心定于下列时间进行调解，请你准时参加。"),
    {
      type: "fields",
      rows: [
        { label: "调解时间", text: "{session.start}至{session.end}，{session.zoneNote}" },
        { label: "调解方式", text: "{session.mode}" },
        { label: "地点或参加方式", text: "{session.place}" },
        { label: "人民调解员", text: "{mediator.name}（联系电话：{mediator.phone}）" },
      ],
    },
    { type: "qr", field: "session.joinUrl", caption: "用手机扫描二维码，或在浏览器中打开下列链接，可参加调解、查看或更改调解时间：{session.joinUrl}" },
    p("参加调解时，请准备好本人身份证件和与纠纷有关的证据材料。视频调解请提前几分钟打开上述链接，检查摄像头和麦克风；电话调解请保持电话畅通。"),
    p("如不能按时参加，请尽早通过上述链接更改时间，或与调解员联系。"),
    FREE_AND_HOTLINE,
    CLOSING,
    ISSUER,
  ],
  agreement: [
    heading("当事人"),
    { type: "parties" },
    heading("纠纷主要事实、争议事项"),
    p("{dispute.facts}"),
    p("争议事项：{dispute.issues}"),
    p("各方责任：{dispute.responsibility}"),
    heading("经人民调解员{mediator.name}主持调解，各方当事人自愿达成如下协议："),
    { type: "terms" },
    heading("履行方式、期限"),
    p("{performance.method}，于{performance.deadline}前履行完毕。"),
    p("本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"),
    p("各方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认。人民法院依法确认调解协议有效，一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。"),
    p("本协议一式{document.copies}份，各方当事人各执一份，人民调解委员会留存一份。如需法律咨询，可拨打12348公共法律服务热线。"),
    { type: "signatures" },
    ISSUER,
  ],
  termination_notice: [
    salutation("{claimant.name}、{respondent.name}："),
    p("你们之间的{case.disputeType}（案件编号：{case.code}），本中心于{case.acceptedAt}受理并进行了调解。因{termination.reason}，依照《中华人民共和国人民调解法》第二十六条的规定，本中心决定终止调解。"),
    p("你们可以依法通过仲裁、行政、司法等途径维护自己的权利。如需法律咨询或者法律援助，可拨打12348公共法律服务热线。"),
    CLOSING,
    ISSUER,
  ],
  rejection_notice: [
    salutation("{claimant.name}："),
    p("你于{case.receivedAt}提出的与{respondent.name}之间的{case.disputeType}调解申请（登记编号：{case.code}），经审查，{rejection.reason}，本中心决定不予受理。"),
    p("你可以{rejection.referral}，依法维护自己的权利。如需法律咨询，可拨打12348公共法律服务热线。"),
    CLOSING,
    ISSUER,
  ],
  service_proof: [
    {
      type: "fields",
      rows: [
        { label: "案件编号", text: "{case.code}" },
        { label: "送达文书", text: "{served.document}（文书编号：{served.documentNo}）" },
        { label: "受送达人", text: "{recipient.name}" },
        { label: "送达地址或方式", text: "{recipient.address}" },
        { label: "送达人", text: "{served.by}" },
      ],
    },
    heading("送达记录"),
    { type: "events" },
    heading("受送达人签收"),
    { type: "signatures" },
    ISSUER,
  ],
  // Filled in for the parties, who sign it by hand and take it to the court together: no issuer, no seal.
  judicial_application: [
    heading("申请人"),
    { type: "parties" },
    heading("请求事项"),
    p("请求{court.name}对申请人于{agreement.signedAt}经{agreement.committee}主持调解达成的《人民调解协议书》（文书编号：{agreement.number}，案件编号：{case.code}）予以司法确认。"),
    heading("事实和理由"),
    p("申请人之间的纠纷，经{agreement.committee}调解，于{agreement.signedAt}自愿达成调解协议。该协议是申请人的真实意思表示，内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益。依照《中华人民共和国人民调解法》第三十三条和《中华人民共和国民事诉讼法》的有关规定，申请人共同申请司法确认。"),
    p("申请人保证提交的材料真实、合法。申请人知悉：调解协议经人民法院确认有效后，一方拒绝履行或者未全部履行的，对方可以向人民法院申请强制执行。"),
    salutation("此致"),
    salutation("{court.name}"),
    p("附：1. 人民调解协议书一份；2. 申请人身份证明复印件各一份。"),
    heading("申请人签名"),
    { type: "signatures" },
  ],
};

/** The shipped template of `kind`, issued in the name of `centreName` (CENTRE_NAME), without a seal. */
export function defaultTemplate<K extends DocumentKind>(kind: K, centreName: string): DocumentTemplate<K> {
  return validateTemplate(kind, { kind, title: KIND_TITLES[kind], centreName, blocks: BLOCKS[kind] });
}
