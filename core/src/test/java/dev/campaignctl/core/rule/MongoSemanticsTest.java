package dev.campaignctl.core.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The MongoDB semantics that surprise people, as a table: conditions, document, expected match. */
class MongoSemanticsTest {

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            {"tags": "vip"}                                   | {"tags": ["new", "vip"]}                   | true
            {"tags": ["new", "vip"]}                          | {"tags": ["new", "vip"]}                   | true
            {"tags": ["vip", "new"]}                          | {"tags": ["new", "vip"]}                   | false
            {"items.sku": "B"}                                | {"items": [{"sku": "A"}, {"sku": "B"}]}    | true
            {"items.1.sku": "B"}                              | {"items": [{"sku": "A"}, {"sku": "B"}]}    | true
            {"coupon": {"$ne": "X"}}                          | {}                                         | true
            {"coupon": {"$nin": ["X"]}}                       | {}                                         | true
            {"coupon": null}                                  | {}                                         | true
            {"coupon": null}                                  | {"coupon": null}                           | true
            {"coupon": null}                                  | {"coupon": "X"}                            | false
            {"coupon": {"$ne": null}}                         | {}                                         | false
            {"coupon": {"$in": [null, "X"]}}                  | {}                                         | true
            {"coupon": {"$exists": true}}                     | {"coupon": null}                           | true
            {"tags": {"$ne": "vip"}}                          | {"tags": ["new", "vip"]}                   | false
            {"amount": 150}                                   | {"amount": 150.00}                         | true
            {"amount": {"$in": [100, 150.0]}}                 | {"amount": 150}                            | true
            {"amount": {"$gt": "100"}}                        | {"amount": 150}                            | false
            {"scores": {"$gt": 90}}                           | {"scores": [50, 95]}                       | true
            {"scores": {"$gt": 60, "$lt": 70}}                | {"scores": [50, 95]}                       | true
            {"scores": {"$elemMatch": {"$gt": 60, "$lt": 70}}}| {"scores": [50, 95]}                       | false
            {"items": {"$elemMatch": {"sku": "A", "qty": {"$gte": 2}}}} | {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]} | false
            {"items.sku": "A", "items.qty": {"$gte": 2}}      | {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]} | true
            {"tags": {"$size": 2}}                            | {"tags": ["new", "vip"]}                   | true
            {"tags": {"$size": 1}}                            | {"tags": ["new", "vip"]}                   | false
            {"name": {"$not": {"$regex": "^A"}}}              | {"name": "Bob"}                            | true
            {"name": {"$not": {"$regex": "^A"}}}              | {}                                         | true
            {"name": {"$regex": "^al", "$options": "i"}}      | {"name": "Alice"}                          | true
            {"name": {"$regex": "^al"}}                       | {"name": "Alice"}                          | false
            {"at": {"$gte": "2024-03-01T00:00:00Z"}}          | {"at": "2024-03-01T01:00:00+01:00"}        | true
            {"at": {"$lt": "2024-03-01T00:00:00Z"}}           | {"at": "2024-02-29T23:59:59.5Z"}           | true
            {"v": {"$type": "number"}}                        | {"v": 1.5}                                 | true
            {"v": {"$type": "array"}}                         | {"v": [1]}                                 | true
            {"v": {"$type": ["string", "null"]}}              | {"v": null}                                | true
            {"$nor": [{"a": 1}, {"b": 2}]}                    | {"a": 2, "b": 1}                           | true
            {"$or": [{"a": 1}, {"b": 2}], "c": 3}             | {"a": 1, "c": 4}                           | false
            """)
    void matchesAsMongoDbWould(String conditions, String document, boolean expected) {
        assertThat(Conditions.compile(Json.tree(conditions)).matches(Json.tree(document))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"amount": {"$gtx": 5}}                            | conditions.amount.$gtx      | unknown operator: $gtx
            {"$where": "1"}                                    | conditions.$where           | unknown operator: $where
            {"a": {"$in": 5}}                                  | conditions.a.$in            | needs an array
            {"a": {"$regex": "("}}                             | conditions.a.$regex         | invalid regex
            {"a": {"$regex": "x", "$options": "q"}}            | conditions.a.$options       | unsupported regex option
            {"a": {"$options": "i"}}                           | conditions.a.$options       | needs a $regex
            {"a": {"$size": -1}}                               | conditions.a.$size          | non-negative integer
            {"a": {"$type": "date"}}                           | conditions.a.$type          | unknown type
            {"a": {"$gt": true}}                               | conditions.a.$gt            | needs a number
            {"$or": [{"a": {"$gtx": 1}}]}                      | conditions.$or[0].a.$gtx    | unknown operator
            {"$and": []}                                       | conditions.$and             | non-empty array
            {"a": {"$exists": "yes"}}                          | conditions.a.$exists        | true or false
            {"a..b": 1}                                        | conditions.a..b             | malformed path
            {"a": {"$elemMatch": 1}}                           | conditions.a.$elemMatch     | needs a non-empty object
            {"a": {"$not": 1}}                                 | conditions.a.$not           | needs an operator object
            """)
    void invalidConditionsNameTheirExactPath(String conditions, String field, String message) {
        assertThatThrownBy(() -> Conditions.compile(Json.tree(conditions)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo(field));
    }
}
