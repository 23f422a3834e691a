// The fictional city 青禾市 (Qinghe) of the profiles' examples: its 16 districts with their region codes
// (990101-990116, province 99 being unassigned by GB/T 2260), centres for geo coordinates, and how many
// grassroots clinics of each kind each district has (266 in all). Names are invented.

export type DistrictKind = 'urban' | 'suburban' | 'rural';

export interface District {
  name: string;
  pinyin: string;
  region: string;
  kind: DistrictKind;
  /** Centre of the district (WGS 84), for the geo coordinates of service areas. */
  latitude: number;
  longitude: number;
  /** Community health service centres (B100). */
  centres: number;
  /** Township health centres (C210 central ones and C220). */
  townships: number;
  /** Residents, in thousands: weights where patients live. */
  population: number;
}

export const cityName = '青禾市';
export const cityPinyin = 'Qinghe';
export const provinceName = '青禾省';

const d = (
  n: number,
  name: string,
  pinyin: string,
  kind: DistrictKind,
  latitude: number,
  longitude: number,
  centres: number,
  townships: number,
  population: number
): District => ({ name, pinyin, region: `9901${String(n).padStart(2, '0')}`, kind, latitude, longitude, centres, townships, population });

export const districts: readonly District[] = [
  d(1, '中心区', 'Zhongxin', 'urban', 34.262, 112.545, 12, 0, 620),
  d(2, '临江区', 'Linjiang', 'urban', 34.241, 112.578, 13, 0, 680),
  d(3, '东湖区', 'Donghu', 'urban', 34.276, 112.601, 11, 0, 560),
  d(4, '西苑区', 'Xiyuan', 'urban', 34.258, 112.497, 12, 0, 590),
  d(5, '南湖区', 'Nanhu', 'urban', 34.218, 112.531, 10, 0, 480),
  d(6, '北岸区', "Bei'an", 'urban', 34.301, 112.552, 11, 0, 530),
  d(7, '新港区', 'Xingang', 'suburban', 34.205, 112.781, 14, 10, 1150),
  d(8, '云溪区', 'Yunxi', 'suburban', 34.392, 112.468, 8, 10, 760),
  d(9, '桐林区', 'Tonglin', 'suburban', 34.124, 112.401, 7, 10, 690),
  d(10, '金沙区', 'Jinsha', 'suburban', 34.351, 112.702, 7, 10, 700),
  d(11, '白河区', 'Baihe', 'suburban', 34.168, 112.652, 6, 10, 640),
  d(12, '石门区', 'Shimen', 'rural', 34.556, 112.381, 2, 19, 620),
  d(13, '柳庄区', 'Liuzhuang', 'rural', 33.982, 112.512, 2, 19, 590),
  d(14, '青山区', 'Qingshan', 'rural', 34.487, 112.815, 2, 19, 610),
  d(15, '宁川区', 'Ningchuan', 'rural', 34.043, 112.861, 2, 19, 570),
  d(16, '禾丰区', 'Hefeng', 'rural', 34.428, 112.254, 2, 19, 540),
];

/** Two-character place names for sub-districts (街道), towns (镇), communities and villages, with pinyin. */
export const placeNames: readonly (readonly [string, string])[] = [
  ['河畔', 'Hepan'], ['春晖', 'Chunhui'], ['东关', 'Dongguan'], ['西营', 'Xiying'], ['南门', 'Nanmen'], ['北塘', 'Beitang'],
  ['长乐', 'Changle'], ['永安', 'Yong’an'], ['福兴', 'Fuxing'], ['桃园', 'Taoyuan'], ['杏林', 'Xinglin'], ['枫桥', 'Fengqiao'],
  ['柳营', 'Liuying'], ['梅园', 'Meiyuan'], ['松林', 'Songlin'], ['竹溪', 'Zhuxi'], ['金桥', 'Jinqiao'], ['银河', 'Yinhe'],
  ['玉泉', 'Yuquan'], ['翠屏', 'Cuiping'], ['青石', 'Qingshi'], ['白塔', 'Baita'], ['红星', 'Hongxing'], ['向阳', 'Xiangyang'],
  ['双桥', 'Shuangqiao'], ['三里', 'Sanli'], ['五里', 'Wuli'], ['七里', 'Qili'], ['王庄', 'Wangzhuang'], ['李庄', 'Lizhuang'],
  ['张庄', 'Zhangzhuang'], ['马坊', 'Mafang'], ['高庄', 'Gaozhuang'], ['杨柳', 'Yangliu'], ['芦苇', 'Luwei'], ['沙河', 'Shahe'],
  ['清河', 'Qinghe'], ['兴隆', 'Xinglong'], ['太平', 'Taiping'], ['和顺', 'Heshun'], ['丰收', 'Fengshou'], ['荷花', 'Hehua'],
  ['柏树', 'Baishu'], ['槐荫', 'Huaiyin'], ['望海', 'Wanghai'], ['观山', 'Guanshan'], ['临水', 'Linshui'], ['朝晖', 'Zhaohui'],
  ['明珠', 'Mingzhu'], ['锦绣', 'Jinxiu'], ['龙泉', 'Longquan'], ['凤鸣', 'Fengming'], ['鹤岭', 'Heling'], ['石桥', 'Shiqiao'],
  ['新华', 'Xinhua'], ['友谊', 'Youyi'], ['团结', 'Tuanjie'], ['光明', 'Guangming'], ['幸福', 'Xingfu'], ['文昌', 'Wenchang'],
];

/** Road names for street addresses. */
export const roadNames: readonly string[] = [
  '人民路', '解放路', '建设路', '和平路', '胜利街', '文化路', '幸福街', '光明路', '春晖路', '滨河路', '新华路', '振兴街',
  '友谊路', '团结街', '朝阳路', '长江路', '黄河路', '青年路', '花园街', '健康路', '学府路', '工农路', '育才街', '迎宾大道',
];
