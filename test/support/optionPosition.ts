/** An ETH option position document on arbitrum/derive (decimal strings, as a Portfolio holds them). */
export function ethOption(id: string, size: string, strike: string, optionType: "call" | "put", expiry: string) {
  return {
    id,
    kind: "option" as const,
    chain: "arbitrum",
    venue: "derive",
    underlying: "ETH",
    size,
    strike,
    expiry,
    optionType,
  };
}
