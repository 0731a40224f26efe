// The 2,000-line Snowflake model of the parser bench: 87 CTEs over tables T0..T399 (18 columns each).
// `variant` changes one literal, so successive texts differ.
module.exports = function snowflakeModel(variant) {
  const parts = [];
  for (let n = 0; parts.length < 87; n++) {
    const t = `T${n % 400}`;
    parts.push(`CTE${n} AS (\n  SELECT\n${Array.from({ length: 18 }, (_, i) => `    ${t}.C${i} AS C${i}`).join(',\n')}\n  FROM PUBLIC.${t}\n  WHERE ${t}.C1 > ${n + variant}\n)`);
  }
  return `WITH ${parts.join(',\n')}\nSELECT C0 AS ID, C1\nFROM CTE0\n`;
};
