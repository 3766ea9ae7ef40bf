// Realistic fields for every kind, for the tests, the benchmark and a staff preview of a template.
import { deflateSync, crc32 } from "node:zlib";
import type { DocumentFieldsByKind, DocumentKind, Party, Signer } from "./fields.js";
import type { RenderMeta } from "./port.js";

const PARTIES: Party[] = [
  { role: "claimant", name: "张秀兰", details: ["女", "1968年3月生", "汉族", "身份证号码 3301**********2345", "住本县城关镇幸福里小区3幢2单元501室", "联系电话 138****5678"] },
  { role: "respondent", name: "县城关镇幸福里小区物业服务有限公司", details: ["统一社会信用代码 91330100MA2*******", "住所地本县城关镇幸福路18号", "法定代表人 王建国", "委托代理人 刘洋（公司员工）"] },
];

const MEDIATOR = { name: "陈志强", phone: "0571-8888 1234" };
const at = (iso: string) => new Date(iso);

const SIGNED: Signer[] = [
  { role: "申请人", name: "张秀兰", signed: { at: at("2026-11-23T07:12:00Z"), channel: "web", identity: "手机号138****5678短信验证码核验，人脸比对通过" } },
  { role: "被申请人", name: "县城关镇幸福里小区物业服务有限公司（委托代理人刘洋）", signed: { at: at("2026-11-23T07:20:00Z"), channel: "wecom", identity: "企业微信实名账号，授权委托书已核验" } },
  { role: "人民调解员", name: MEDIATOR.name },
];

export const EXAMPLE_FIELDS: DocumentFieldsByKind = {
  acceptance_notice: {
    parties: PARTIES,
    case: { disputeType: "物业服务纠纷", receivedAt: at("2026-11-23T01:05:00Z"), acceptedAt: at("2026-11-23T02:30:00Z"), contactBy: at("2026-11-25T09:30:00Z") },
    mediator: MEDIATOR,
  },
  session_notice: {
    parties: PARTIES,
    recipient: { name: "张秀兰" },
    case: { disputeType: "物业服务纠纷" },
    session: {
      start: at("2026-11-26T06:30:00Z"),
      end: at("2026-11-26T07:30:00Z"),
      mode: "视频调解",
      place: "在手机或电脑上打开下方链接进入视频调解室，无需安装软件",
      joinUrl: "https://onedoor.example.gov.cn/join/eyJzIjoiY20za2g3cTB4MDAwMDNiNnl6cTF4dGVzdCIsInAiOiJjbTNraDdxMHgwMDA0In0.Lw3hV9mYbq2kQx7PzT1sRg",
      zoneNote: "北京时间",
    },
    mediator: MEDIATOR,
  },
  agreement: {
    parties: PARTIES,
    dispute: {
      facts: "申请人张秀兰系幸福里小区3幢2单元501室业主。2026年8月起，其房屋卫生间顶部因楼上公共排水管渗漏多次出现渗水，墙面和吊顶受损。申请人多次向被申请人报修，被申请人于9月派人查看后未予修复，渗水持续至今。申请人因此拒交2026年第三、四季度物业服务费共计1,860元，被申请人多次催缴。",
      issues: "公共排水管渗漏的维修责任及期限；申请人房屋损失的赔偿数额；申请人拖欠的物业服务费是否应当缴纳。",
      responsibility: "被申请人作为小区物业服务人，对公共排水管负有维修养护义务，未及时修复，应当承担维修责任并赔偿申请人相应损失；申请人应当依约缴纳物业服务费。",
    },
    terms: [
      "被申请人于2026年11月30日前修复3幢2单元公共排水管渗漏处，维修费用由被申请人承担，修复后由申请人确认。",
      "被申请人赔偿申请人卫生间墙面、吊顶修复费用及其他损失共计人民币2,400元，于2026年12月10日前转入申请人指定的银行账户。",
      "申请人于收到上述赔偿款之日起五日内，向被申请人缴纳2026年第三、四季度物业服务费共计人民币1,860元。",
      "双方就本纠纷再无其他争议。",
    ],
    performance: { method: "维修由被申请人派员上门完成，赔偿款和物业服务费均以银行转账方式支付", deadline: at("2026-12-15T15:59:00Z") },
    mediator: { name: MEDIATOR.name },
    signatures: SIGNED,
  },
  termination_notice: {
    parties: PARTIES,
    case: { disputeType: "物业服务纠纷", acceptedAt: at("2026-11-23T02:30:00Z") },
    termination: { reason: "被申请人明确表示不同意继续调解" },
  },
  rejection_notice: {
    parties: PARTIES,
    case: { disputeType: "房屋买卖合同纠纷", receivedAt: at("2026-11-23T01:05:00Z") },
    rejection: { reason: "该纠纷已由县人民法院立案受理", referral: "在县人民法院审理该案时依法陈述意见、提交证据" },
  },
  service_proof: {
    recipient: { name: "县城关镇幸福里小区物业服务有限公司", address: "企业微信（委托代理人刘洋），备用：住所地本县城关镇幸福路18号" },
    served: { document: "人民调解协议书（第1版）", documentNo: "OD-20261123-0007-XY-01", by: "县矛盾纠纷调处化解中心（系统自动送达）" },
    events: [
      { at: at("2026-11-23T07:25:03Z"), channel: "wecom", event: "已发送" },
      { at: at("2026-11-23T07:25:04Z"), channel: "wecom", event: "已送达" },
      { at: at("2026-11-23T07:31:47Z"), channel: "wecom", event: "已阅读" },
      { at: at("2026-11-23T07:25:05Z"), channel: "sms", event: "发送失败（号码已停机），改由企业微信送达" },
      { at: at("2026-11-23T08:02:10Z"), channel: "web", event: "受送达人打开文书并确认签收" },
    ],
    signatures: [
      { role: "受送达人", name: "刘洋（委托代理人）", signed: { at: at("2026-11-23T08:02:10Z"), channel: "web", identity: "手机号139****4321短信验证码核验" } },
      { role: "送达人", name: MEDIATOR.name },
    ],
  },
  judicial_application: {
    parties: PARTIES,
    agreement: { number: "OD-20261123-0007-XY", signedAt: at("2026-11-23T07:20:00Z"), committee: "县矛盾纠纷调处化解中心人民调解委员会" },
    court: { name: "县人民法院" },
    signatures: [
      { role: "申请人", name: "张秀兰" },
      { role: "申请人", name: "县城关镇幸福里小区物业服务有限公司" },
    ],
  },
};

export const EXAMPLE_META: Record<DocumentKind, RenderMeta> = Object.fromEntries(
  (Object.keys(EXAMPLE_FIELDS) as DocumentKind[]).map((kind, i) => [
    kind,
    { caseCode: "OD-20261123-0007", documentNo: `OD-20261123-0007-${String(i + 1).padStart(2, "0")}`, version: 1, issuedAt: new Date("2026-11-23T08:00:00Z"), timeZone: "Asia/Shanghai" },
  ]),
) as Record<DocumentKind, RenderMeta>;

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A stand-in round red seal (a ring and a star, transparent elsewhere) as PNG bytes, `size` px square. */
export function exampleSealPng(size = 240): Buffer {
  const c = size / 2;
  // The star's ten corners, alternately at the outer and inner radius, point up.
  const star = Array.from({ length: 10 }, (_, k) => {
    const r = (k % 2 ? 0.38 : 1) * size * 0.22;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    return [c + r * Math.cos(a), c + r * Math.sin(a)] as const;
  });
  const inStar = (x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = star.length - 1; i < star.length; j = i++) {
      const [xi, yi] = star[i]!;
      const [xj, yj] = star[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c) / c;
      const ink = (d > 0.86 && d < 0.97) || (d > 0.78 && d < 0.8) || inStar(x + 0.5, y + 0.5);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = 0xd0;
      raw[o + 1] = 0x1c;
      raw[o + 2] = 0x1f;
      raw[o + 3] = ink ? 0xe0 : 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", Buffer.alloc(0))]);
}
