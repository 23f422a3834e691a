// The formulary products the generator prescribes (codes and displays of terminology/codesystems/
// formulary.json; every one may be long-prescribed), with the usual regimen: units per dose and doses a
// day within the product's daily dose range, and the share of patients on it (assumed).

export interface Drug {
  code: string;
  display: string;
  text: string;
  /** Tablets or capsules per dose, and doses a day. */
  perDose: number;
  perDay: number;
  unit: '{tablet}' | '{capsule}';
  weight: number;
}

const drug = (code: string, display: string, text: string, perDose: number, perDay: number, weight: number, unit: Drug['unit'] = '{tablet}'): Drug => ({
  code,
  display,
  text,
  perDose,
  perDay,
  unit,
  weight,
});

export const antihypertensives: readonly Drug[] = [
  drug('amlodipine-tab-5mg', 'Amlodipine besilate tablets 5 mg', '苯磺酸氨氯地平片 5 mg', 1, 1, 24),
  drug('nifedipine-crtab-30mg', 'Nifedipine controlled-release tablets 30 mg', '硝苯地平控释片 30 mg', 1, 1, 14),
  drug('losartan-tab-50mg', 'Losartan potassium tablets 50 mg', '氯沙坦钾片 50 mg', 1, 1, 10),
  drug('valsartan-cap-80mg', 'Valsartan capsules 80 mg', '缬沙坦胶囊 80 mg', 1, 1, 10, '{capsule}'),
  drug('irbesartan-tab-150mg', 'Irbesartan tablets 150 mg', '厄贝沙坦片 150 mg', 1, 1, 9),
  drug('telmisartan-tab-40mg', 'Telmisartan tablets 40 mg', '替米沙坦片 40 mg', 1, 1, 7),
  drug('metoprolol-succinate-srtab-47.5mg', 'Metoprolol succinate sustained-release tablets 47.5 mg', '琥珀酸美托洛尔缓释片 47.5 mg', 1, 1, 8),
  drug('indapamide-srtab-1.5mg', 'Indapamide sustained-release tablets 1.5 mg', '吲达帕胺缓释片 1.5 mg', 1, 1, 5),
  drug('enalapril-tab-10mg', 'Enalapril maleate tablets 10 mg', '马来酸依那普利片 10 mg', 1, 2, 5),
  drug('benazepril-tab-10mg', 'Benazepril hydrochloride tablets 10 mg', '盐酸贝那普利片 10 mg', 1, 1, 4),
  drug('losartan-hctz-tab-50-12.5mg', 'Losartan potassium and hydrochlorothiazide tablets 50 mg/12.5 mg', '氯沙坦钾氢氯噻嗪片 50 mg/12.5 mg', 1, 1, 4),
];

export const antidiabetics: readonly Drug[] = [
  drug('metformin-tab-0.5g', 'Metformin hydrochloride tablets 0.5 g', '盐酸二甲双胍片 0.5 g', 1, 3, 34),
  drug('metformin-srtab-0.5g', 'Metformin hydrochloride sustained-release tablets 0.5 g', '盐酸二甲双胍缓释片 0.5 g', 2, 1, 14),
  drug('acarbose-tab-50mg', 'Acarbose tablets 50 mg', '阿卡波糖片 50 mg', 1, 3, 14),
  drug('gliclazide-srtab-30mg', 'Gliclazide sustained-release tablets 30 mg', '格列齐特缓释片 30 mg', 2, 1, 12),
  drug('glimepiride-tab-2mg', 'Glimepiride tablets 2 mg', '格列美脲片 2 mg', 1, 1, 10),
  drug('sitagliptin-tab-100mg', 'Sitagliptin phosphate tablets 100 mg', '磷酸西格列汀片 100 mg', 1, 1, 9),
  drug('dapagliflozin-tab-10mg', 'Dapagliflozin tablets 10 mg', '达格列净片 10 mg', 1, 1, 7),
];
