package dev.campaignctl.core.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final JsonNode EVENT = Json.tree("""
            {"merchant_id": "MERCHANT_001", "customer_id": "C1", "amount": 150.00, "currency": "EUR",
             "transaction_data": {"merchant": {"city": "Paris"}, "channel": "web",
                                  "items": [{"category": "shoes", "qty": 1}, {"category": "socks", "qty": 3}],
                                  "tags": ["vip", "new"]}}
            """);

    private static boolean matches(String conditions) {
        return Conditions.compile(Json.tree(conditions)).matches(EVENT);
    }

    @Test
    void plainValueMeansEqualityAsInTheReference() {
        assertThat(matches("{\"merchant_id\": \"MERCHANT_001\"}")).isTrue();
        assertThat(matches("{\"merchant_id\": \"MERCHANT_002\"}")).isFalse();
    }

    @Test
    void dotNotationReachesNestedTransactionData() {
        assertThat(matches("{\"transaction_data.merchant.city\": \"Paris\"}")).isTrue();
        assertThat(matches("{\"transaction_data.merchant.city\": \"Lyon\"}")).isFalse();
        assertThat(matches("{\"transaction_data.merchant.zip\": \"75001\"}")).isFalse();
    }

    @Test
    void aPathIntoAnArrayMatchesWhenAnyElementMatches() {
        assertThat(matches("{\"transaction_data.items.category\": \"socks\"}")).isTrue();
        assertThat(matches("{\"transaction_data.items.category\": \"hats\"}")).isFalse();
        assertThat(matches("{\"transaction_data.tags\": \"vip\"}")).isTrue();
        assertThat(matches("{\"transaction_data.items.0.category\": \"shoes\"}")).isTrue();
        assertThat(matches("{\"transaction_data.items.1.category\": \"shoes\"}")).isFalse();
    }

    @Test
    void numbersCompareAsDecimals() {
        assertThat(matches("{\"amount\": 150}")).isTrue();
        assertThat(matches("{\"amount\": 150.0}")).isTrue();
        assertThat(matches("{\"amount\": 150.01}")).isFalse();
        assertThat(matches("{\"amount\": \"150\"}")).isFalse();
    }

    @Test
    void allFieldsOfADocumentMustMatch() {
        assertThat(matches("{\"merchant_id\": \"MERCHANT_001\", \"currency\": \"EUR\"}")).isTrue();
        assertThat(matches("{\"merchant_id\": \"MERCHANT_001\", \"currency\": \"USD\"}")).isFalse();
    }

    @Test
    void comparisonAndMembershipOperators() {
        assertThat(matches("{\"amount\": {\"$gte\": 100, \"$lt\": 200}}")).isTrue();
        assertThat(matches("{\"amount\": {\"$gt\": 150}}")).isFalse();
        assertThat(matches("{\"currency\": {\"$in\": [\"EUR\", \"USD\"]}}")).isTrue();
        assertThat(matches("{\"currency\": {\"$nin\": [\"EUR\"]}}")).isFalse();
        assertThat(matches("{\"transaction_data.coupon\": {\"$exists\": false}}")).isTrue();
        assertThat(matches("{\"$or\": [{\"currency\": \"USD\"}, {\"transaction_data.channel\": \"web\"}]}")).isTrue();
    }

    @Test
    void unknownOperatorIsRejectedWithItsExactPath() {
        assertThatThrownBy(() -> Conditions.compile(Json.tree("{\"amount\": {\"$gtx\": 5}}")))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("conditions.amount.$gtx"))
                .hasMessageContaining("unknown operator: $gtx");
    }

    @Test
    void malformedPathsAndNonObjectsAreRejected() {
        assertThatThrownBy(() -> Conditions.compile(Json.tree("{\"a..b\": 1}")))
                .hasMessageContaining("malformed path");
        assertThatThrownBy(() -> Conditions.compile(Json.tree("[1]")))
                .hasMessageContaining("must be an object");
        assertThatThrownBy(() -> Conditions.compile(Json.tree("{\"amount\": {\"$in\": 5}}")))
                .hasMessageContaining("needs an array");
    }
}
